from django.db import migrations

from fazhi.audit.appendonly import append_only


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [append_only("audit_auditleaf", "audit_merklenode", "audit_checkpoint")]
