from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "amparo.matching"
    label = "matching"
    verbose_name = _("Matching")

    def ready(self) -> None:
        from amparo.matching.selectors import (  # noqa: PLC0415 - apps are loaded now
            check_registered_person,
            duplicate_check_payload,
        )
        from amparo.matching.services.keys import person_keys_refresh  # noqa: PLC0415
        from amparo.registry.selectors import on_duplicate_check  # noqa: PLC0415
        from amparo.registry.services import on_person_write  # noqa: PLC0415

        # Blocking keys follow every registration and edit, so the duplicate check finds persons at once.
        on_person_write(lambda person_ids: person_keys_refresh(person_ids=person_ids))
        # The API's person creation answers with the same duplicate check as the registration page.
        on_duplicate_check(
            lambda user, person: duplicate_check_payload(check_registered_person(user=user, person=person))
        )
