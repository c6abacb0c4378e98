from django.db import migrations

from fazhi.audit.appendonly import append_only_sqlite


class Migration(migrations.Migration):
    dependencies = [("framework", "0004_generated_batch_append_only"), ("audit", "0004_sqlite_refuses_delete")]
    operations = [append_only_sqlite("framework_matterevent", "framework_generatedbatch")]
