from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    INTERSEX = "intersex", _("Intersex")
    UNKNOWN = "unknown", _("Unknown")


class GenderIdentity(models.TextChoices):
    WOMAN = "woman", _("Woman")
    MAN = "man", _("Man")
    TRANS_WOMAN = "trans_woman", _("Trans woman")
    TRANS_MAN = "trans_man", _("Trans man")
    NON_BINARY = "non_binary", _("Non-binary")
    OTHER = "other", _("Other")
    NOT_STATED = "not_stated", _("Prefers not to say")


class DocumentType(models.TextChoices):
    NATIONAL_ID = "national_id", _("National identity document (DNI, DPI, CI, INE…)")
    PERSONAL_CODE = "personal_code", _("Personal code (CURP, CUIL, RUT…)")
    PASSPORT = "passport", _("Passport")
    BIRTH_CERTIFICATE = "birth_certificate", _("Birth certificate")
    CONSULAR_ID = "consular_id", _("Consular ID")
    RESIDENCE_PERMIT = "residence_permit", _("Residence permit")
    REFUGEE_ID = "refugee_id", _("Refugee or asylum-seeker document")
    OTHER = "other", _("Other")


class ContactKind(models.TextChoices):
    PHONE = "phone", _("Phone")
    MOBILE = "mobile", _("Mobile")
    WHATSAPP = "whatsapp", _("WhatsApp")
    EMAIL = "email", _("E-mail")
    OTHER = "other", _("Other")


class AdminAreaLevel(models.IntegerChoices):
    DEPARTMENT = 1, _("Department / state / province")
    MUNICIPALITY = 2, _("Municipality")


class Relationship(models.TextChoices):
    HEAD = "head", _("Head of household")
    SPOUSE = "spouse", _("Spouse or partner")
    CHILD = "child", _("Son or daughter")
    STEPCHILD = "stepchild", _("Stepson or stepdaughter")
    PARENT = "parent", _("Father or mother")
    SIBLING = "sibling", _("Brother or sister")
    GRANDCHILD = "grandchild", _("Grandchild")
    GRANDPARENT = "grandparent", _("Grandparent")
    OTHER_RELATIVE = "other_relative", _("Other relative")
    CAREGIVER = "caregiver", _("Caregiver (not a relative)")
    NOT_RELATED = "not_related", _("Not related")
