import datetime as dt

from django.db import migrations, models


def fill(apps, schema_editor):  # type: ignore[no-untyped-def]
    OfficerExam = apps.get_model("enforcement", "OfficerExam")
    for year in OfficerExam.objects.values_list("year", flat=True).distinct():
        OfficerExam.objects.filter(year=year, held_on__isnull=True).update(held_on=dt.date(year, 12, 31))


class Migration(migrations.Migration):
    dependencies = [("enforcement", "0002_matter_deadlines")]

    operations = [
        migrations.AddField(model_name="officerexam", name="held_on", field=models.DateField(null=True, verbose_name="考试日期")),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="officerexam",
            name="held_on",
            field=models.DateField(help_text="未填写的按考试年度的最后一日计", verbose_name="考试日期"),
        ),
    ]
