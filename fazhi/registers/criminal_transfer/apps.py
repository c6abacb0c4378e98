from django.apps import AppConfig


class CriminalTransferConfig(AppConfig):
    name = "fazhi.registers.criminal_transfer"
    label = "criminal_transfer"
    verbose_name = "两法衔接"

    def ready(self) -> None:
        from fazhi.registers.criminal_transfer.hooks import TransferHooks
        from fazhi.registers.criminal_transfer.models import CriminalTransfer
        from fazhi.registers.framework.registry import register_add

        register_add("criminal_transfer", CriminalTransfer, hooks=TransferHooks(), list_columns=("offence", "suspect_name", "police_unit", "police_decision"))
