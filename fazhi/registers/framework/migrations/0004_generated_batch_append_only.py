from django.db import migrations

from fazhi.audit.appendonly import append_only


class Migration(migrations.Migration):
    dependencies = [("framework", "0003_generated_batch")]
    operations = [append_only("framework_generatedbatch")]
