from django.db import models
from django.utils.translation import gettext_lazy as _


class DeliveryStatus(models.TextChoices):
    RECEIVED = "received", _("Received, waiting to be checked")
    PROCESSING = "processing", _("Being checked")
    LOADED = "loaded", _("Loaded")
    SUPERSEDED = "superseded", _("Replaced by a later sending")
    REJECTED = "rejected", _("Rejected")


class DeliveryChannel(models.TextChoices):
    WEB = "web", _("Web upload")
    COMMAND = "command", _("Command line")


class EquivalenceSource(models.TextChoices):
    UPLOAD = "upload", _("Uploaded file")
    DELIVERY = "delivery", _("Sent with a delivery")
    EDIT = "edit", _("Edited on screen")


class AgeGroup(models.TextChoices):
    """Age bands of the indicators; 16–17 apart because penal responsibility starts at 16 (Ley 22.278)."""

    AGE_0_2 = "0-2", _("0 to 2")
    AGE_3_5 = "3-5", _("3 to 5")
    AGE_6_12 = "6-12", _("6 to 12")
    AGE_13_15 = "13-15", _("13 to 15")
    AGE_16_17 = "16-17", _("16 to 17")
    AGE_18_PLUS = "18+", _("18 and over")
    UNKNOWN = "SIN_DATO", _("No data")


# Lower age bound (years) of each band, widest first, for SQL CASE expressions.
AGE_GROUP_LOWER_BOUNDS = (
    (18, AgeGroup.AGE_18_PLUS),
    (16, AgeGroup.AGE_16_17),
    (13, AgeGroup.AGE_13_15),
    (6, AgeGroup.AGE_6_12),
    (3, AgeGroup.AGE_3_5),
    (0, AgeGroup.AGE_0_2),
)


class Breakdown(models.TextChoices):
    NONE = "none", _("Total only")
    JURISDICTION = "jurisdiction", _("Jurisdiction")
    GENDER = "gender", _("Gender")
    AGE_GROUP = "age_group", _("Age group")
