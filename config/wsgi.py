import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# a server others can reach never starts with published keys or a wildcard host (FAZHI_DEMO=1 for the demo)
from fazhi.core.deploy import settings_refuse_unsafe  # noqa: E402

settings_refuse_unsafe()
