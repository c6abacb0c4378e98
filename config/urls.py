from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from fazhi.api.urls import api

admin.site.site_header = "法治政府建设管理平台 · 后台"
admin.site.site_title = "Fazhi 后台"

urlpatterns = [
    # one way in: the staff login with its second step (the admin's own login form would skip it)
    path("admin/login/", RedirectView.as_view(pattern_name="login", query_string=True), name="admin_login_redirect"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("", include("fazhi.web.urls")),
]

# the server's error page in Chinese; a write that found the database held by another gets 503 and "retry"
handler500 = "fazhi.web.errors.server_error"
