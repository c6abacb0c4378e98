from django.apps import AppConfig


class ProposalsConfig(AppConfig):
    name = "fazhi.registers.proposals"
    label = "proposals"
    verbose_name = "人大建议和政协提案"

    def ready(self) -> None:
        from fazhi.registers.framework.registry import register_add
        from fazhi.registers.proposals.hooks import ProposalHooks
        from fazhi.registers.proposals.models import Proposal

        register_add("proposals", Proposal, hooks=ProposalHooks(), list_columns=("title", "kind", "proposer_name", "outcome", "satisfaction"))
