"""Models of the exchange app; the RUNac national node lives in `amparo.exchange.runac`."""

from amparo.exchange.runac.models import (
    CategoryCorrection,
    Delivery,
    EquivalenceEntry,
    EquivalenceTable,
    ExceptionalMeasure,
    Jurisdiction,
    LegajoRecord,
    MeasurePlacement,
    MpeRecord,
    MpiRecord,
    MpjRecord,
    NationalCategory,
    PenalStay,
)

__all__ = [
    "CategoryCorrection",
    "Delivery",
    "EquivalenceEntry",
    "EquivalenceTable",
    "ExceptionalMeasure",
    "Jurisdiction",
    "LegajoRecord",
    "MeasurePlacement",
    "MpeRecord",
    "MpiRecord",
    "MpjRecord",
    "NationalCategory",
    "PenalStay",
]
