from django.db import migrations

from fazhi.audit.appendonly import append_only


class Migration(migrations.Migration):
    """The rows its audit leaves bind: UPDATE and DELETE refused on both databases."""

    dependencies = [("major_decisions", "0002_alter_majordecision_catalogue_item"), ("audit", "0004_sqlite_refuses_delete")]
    operations = [append_only("major_decisions_catalogueevent")]
