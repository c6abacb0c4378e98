from django.db import migrations

from fazhi.audit.appendonly import append_only


class Migration(migrations.Migration):
    """The rows its audit leaves bind: UPDATE and DELETE refused on both databases."""

    dependencies = [("legal_publicity", "0001_initial"), ("audit", "0004_sqlite_refuses_delete")]
    operations = [append_only("legal_publicity_tablechange")]
