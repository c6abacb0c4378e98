from django.db import migrations


def fill(apps, schema_editor):
    from fazhi.registers.framework.registry import REGISTRY
    from fazhi.registers.framework.search import search_rebuild

    for reg in REGISTRY.values():
        model = apps.get_model(reg.model._meta.app_label, reg.model._meta.model_name)
        search_rebuild(reg, model=model, apps=apps)


def empty(apps, schema_editor):
    apps.get_model("framework", "SearchEntry").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("framework", "0007_search_and_saved_filters"),
        ("contract_review", "0002_append_only"),
        ("criminal_transfer", "0003_matter_deadlines"),
        ("disclosure", "0003_disclosurerequest_delay_notified_on_and_more"),
        ("enforcement", "0005_offence_help_text"),
        ("legal_aid", "0003_objection_review"),
        ("legal_publicity", "0002_append_only"),
        ("litigation", "0003_appeal_and_final_result"),
        ("major_decisions", "0003_append_only"),
        ("mediation", "0003_agreement_terms"),
        ("normative_docs", "0003_append_only"),
        ("oversight_suggestions", "0002_letter_reply_due_on"),
        ("proposals", "0002_matter_deadlines"),
        ("reconsideration", "0006_reviewed_document"),
        ("state_compensation", "0002_links_and_reconsideration"),
    ]
    operations = [migrations.RunPython(fill, empty)]
