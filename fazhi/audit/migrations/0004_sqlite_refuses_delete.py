from django.db import migrations

from fazhi.audit.appendonly import append_only_sqlite


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_signed_checkpoints")]
    operations = [append_only_sqlite("audit_auditleaf", "audit_merklenode", "audit_checkpoint")]
