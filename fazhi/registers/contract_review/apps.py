from django.apps import AppConfig


class ContractReviewConfig(AppConfig):
    name = "fazhi.registers.contract_review"
    label = "contract_review"
    verbose_name = "合同合法性审查和法律意见"

    def ready(self) -> None:
        from fazhi.audit.services import leaf_source_register
        from fazhi.core.importers import IMPORTERS
        from fazhi.registers.contract_review.documents import EVENT
        from fazhi.registers.contract_review.hooks import ContractReviewHooks
        from fazhi.registers.contract_review.models import ContractReview
        from fazhi.registers.contract_review.services import adviser_change_reencode, advisers_import
        from fazhi.registers.contract_review.views import review_panel
        from fazhi.registers.framework.registry import register_add

        register_add(
            "contract_review",
            ContractReview,
            hooks=ContractReviewHooks(),
            list_columns=("title", "kind", "amount", "outcome"),
            event_labels={EVENT: "上传审查意见书"},
            detail_template="contract_review/_panel.html",
            detail_context=review_panel,
        )
        leaf_source_register("legal_adviser", adviser_change_reencode)
        IMPORTERS["legal_advisers"] = advisers_import

        from fazhi.audit.services import projection_check_register
        from fazhi.registers.contract_review.services import records_check_all, records_count

        projection_check_register("legal_adviser", records_check_all, records_count)
