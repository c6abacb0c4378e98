from django.db import migrations

from fazhi.audit.appendonly import append_only


class Migration(migrations.Migration):
    dependencies = [("framework", "0001_initial")]
    operations = [append_only("framework_matterevent")]
