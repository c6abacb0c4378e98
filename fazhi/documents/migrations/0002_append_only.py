from django.db import migrations

from fazhi.audit.appendonly import append_only


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial"), ("audit", "0004_sqlite_refuses_delete")]
    operations = [append_only("documents_issueddocument", "documents_rendition")]
