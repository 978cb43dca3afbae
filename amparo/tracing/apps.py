from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TracingConfig(AppConfig):
    name = "amparo.tracing"
    label = "tracing"
    verbose_name = _("Family tracing")

    def ready(self) -> None:
        from amparo.cases.services import on_case_write  # noqa: PLC0415 - apps are loaded now
        from amparo.tracing.services import cases_match  # noqa: PLC0415

        # A saved case of a separated or unaccompanied child is compared with the open tracing requests.
        on_case_write(lambda case_ids: cases_match(case_ids=case_ids))
