from django.db import models
from django.utils.translation import gettext_lazy as _


class RecordType(models.TextChoices):
    """What a matcher configuration compares."""

    PERSON = "person", _("Registered persons")
    FILE = "file", _("Files of administrative records")
    TRACING = "tracing", _("Family tracing: sought children")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Finished")
    FAILED = "failed", _("Failed")


class PairStatus(models.TextChoices):
    PENDING = "pending", _("To review")
    POSTPONED = "postponed", _("Postponed")
    CONFIRMED = "confirmed", _("Same person (merged)")
    REJECTED = "rejected", _("Different persons")


class Decision(models.TextChoices):
    CONFIRM = "confirm", _("Same person: merge")
    REJECT = "reject", _("Different persons")
    POSTPONE = "postpone", _("Decide later")


class FileMode(models.TextChoices):
    DEDUPE = "dedupe", _("Find duplicates within one file")
    LINK = "link", _("Link two files")
    REGISTRY = "registry", _("Link a file to registered persons")
