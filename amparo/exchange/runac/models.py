"""RUNac national node: jurisdictions, national categories, equivalence tables, deliveries,
the records they load, the measures computed from them and the national corrections.

The record tables are loaded in bulk (COPY on PostgreSQL). Their links to the delivery and
jurisdiction carry no database constraint (`db_constraint=False`): a million-row COPY would
otherwise queue a deferred trigger per row and link; only the loader writes these rows,
inside the transaction that creates their delivery.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from amparo.exchange.runac import spec
from amparo.exchange.runac.choices import DeliveryChannel, DeliveryStatus, EquivalenceSource

UNIT_CHOICES = [(unit.value, unit.value) for unit in spec.Unit]


class Jurisdiction(models.Model):
    """One of the 24 jurisdictions (INDEC code).

    `org_unit` ties the jurisdiction to the organisation tree: a RUNac grant that reaches
    that unit (its own grant there, or a SUBTREE/ALL grant above it) reaches the
    jurisdiction's deliveries, tables, records and indicators. A jurisdiction without a unit
    is reached only by grants with scope ALL (the national staff).
    """

    ACCESS_UNIT_FIELD = "org_unit"

    code = models.CharField(_("INDEC code"), max_length=2, unique=True)
    name = models.CharField(_("name"), max_length=120)
    org_unit = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("organisation unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("jurisdiction")
        verbose_name_plural = _("jurisdictions")

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"


class NationalCategory(models.Model):
    """A national category of one TE field (unit + column), from categorias_nacionales.csv."""

    unit = models.CharField(max_length=10, choices=UNIT_CHOICES)
    field = models.CharField(max_length=40)
    code = models.CharField(max_length=60)
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["unit", "field", "position"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "field", "code"], name="runac_category_unique")
        ]
        verbose_name = _("national category")
        verbose_name_plural = _("national categories")

    def __str__(self) -> str:
        return f"{self.unit}.{self.field} = {self.code}"


class EquivalenceTable(models.Model):
    """One version of a jurisdiction's equivalence table (a full snapshot; the newest is in force)."""

    ACCESS_UNIT_FIELD = "jurisdiction__org_unit"

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="equivalence_tables"
    )
    version = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(max_length=10, choices=EquivalenceSource.choices)
    file_name = models.CharField(max_length=200, blank=True)
    note = models.CharField(max_length=300, blank=True)
    entry_count = models.PositiveIntegerField(default=0)
    added = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    removed = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["jurisdiction", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "version"], name="runac_equivalence_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.jurisdiction.code}_TE v{self.version}"


class EquivalenceEntry(models.Model):
    table = models.ForeignKey(EquivalenceTable, on_delete=models.CASCADE, related_name="entries")
    unit = models.CharField(max_length=10, choices=UNIT_CHOICES)
    field = models.CharField(max_length=40)
    local_id = models.CharField(max_length=spec.MAX_ID_LENGTH)
    local_description = models.CharField(max_length=300, blank=True)
    category = models.ForeignKey(NationalCategory, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["unit", "field", "local_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["table", "unit", "field", "local_id"], name="runac_equivalence_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit}.{self.field} {self.local_id}"


class Delivery(models.Model):
    """One sending of a jurisdiction's files for a cut-off date, and its validation report.

    A LOADED delivery's records count; re-sending the same period turns the previous one
    SUPERSEDED (kept, with its records, as history). A REJECTED delivery loaded nothing.
    """

    ACCESS_UNIT_FIELD = "jurisdiction__org_unit"

    jurisdiction = models.ForeignKey(
        Jurisdiction, null=True, blank=True, on_delete=models.PROTECT, related_name="deliveries"
    )
    cut_off = models.DateField(_("cut-off date"), null=True, blank=True)
    status = models.CharField(max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.RECEIVED)
    channel = models.CharField(max_length=10, choices=DeliveryChannel.choices)
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    finished_at = models.DateTimeField(null=True, blank=True)
    equivalence_table = models.ForeignKey(
        EquivalenceTable, null=True, blank=True, on_delete=models.PROTECT, related_name="deliveries"
    )
    replaces = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )
    superseded_at = models.DateTimeField(null=True, blank=True)
    # [{"name", "unit", "suffix", "rows", "encoding", "size", "stored"}] in processing order.
    files = models.JSONField(default=list)
    equivalence_file = models.CharField(max_length=200, blank=True)
    counts = models.JSONField(default=dict)
    measure_count = models.PositiveIntegerField(default=0)
    penal_stay_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    warning_count = models.PositiveIntegerField(default=0)
    # The first RUNAC_MAX_REPORTED_ISSUES issues (errors first); the counts above are exact.
    issues = models.JSONField(default=list)
    issues_truncated = models.BooleanField(default=False)
    seconds = models.FloatField(null=True, blank=True)
    # Seconds per phase (read+check+copy, SQL checks, newest rows, measures), for administrators.
    timings = models.JSONField(default=dict)

    class Meta:
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["jurisdiction", "cut_off", "status"], name="runac_delivery_period_idx")
        ]
        verbose_name = _("RUNac delivery")
        verbose_name_plural = _("RUNac deliveries")

    def __str__(self) -> str:
        code = self.jurisdiction.code if self.jurisdiction else "??"
        return f"{code} {self.cut_off:%d/%m/%Y}" if self.cut_off else f"{code} #{self.pk}"

    @property
    def is_current(self) -> bool:
        return self.status == DeliveryStatus.LOADED

    @property
    def total_rows(self) -> int:
        return sum(int(value) for value in self.counts.values())


class RecordBase(models.Model):
    """Columns every loaded row has: where it came from and whether it is the newest version."""

    ACCESS_UNIT_FIELD = "jurisdiction__org_unit"
    UNIT: spec.Unit

    delivery = models.ForeignKey(
        Delivery, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    file_number = models.PositiveSmallIntegerField(default=0)
    line = models.PositiveIntegerField()
    # True on the newest loaded version of this row's key in the jurisdiction (what indicators count).
    is_latest = models.BooleanField(default=True)
    id_legajo = models.CharField(max_length=spec.MAX_ID_LENGTH)

    class Meta:
        abstract = True


class LegajoRecord(RecordBase):
    UNIT = spec.Unit.LEGAJOS

    fecha_creacion = models.DateField(null=True)
    genero = models.CharField(max_length=20, blank=True)
    fecha_nacimiento = models.DateField(null=True)
    edad_al_ingreso = models.SmallIntegerField(null=True)
    nacionalidad_local = models.CharField(max_length=spec.MAX_ID_LENGTH, blank=True)
    nacionalidad = models.CharField(max_length=60, blank=True)
    departamento_residencia = models.TextField(blank=True)
    localidad_residencia = models.TextField(blank=True)
    discapacidad = models.CharField(max_length=10, blank=True)
    cud = models.CharField(max_length=10, blank=True)
    pueblo_originario_local = models.CharField(max_length=spec.MAX_ID_LENGTH, blank=True)
    pueblo_originario = models.CharField(max_length=60, blank=True)
    nivel_educativo_local = models.CharField(max_length=spec.MAX_ID_LENGTH, blank=True)
    nivel_educativo = models.CharField(max_length=60, blank=True)
    escolarizado = models.CharField(max_length=10, blank=True)
    documentado = models.CharField(max_length=10, blank=True)
    # FECHA_NACIMIENTO, or estimated from EDAD_AL_INGRESO at FECHA_CREACION (for age groups).
    birth_date = models.DateField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["jurisdiction", "id_legajo"], name="runac_legajo_key_idx"),
        ]

    def __str__(self) -> str:
        return f"LEGAJOS {self.id_legajo}"


class MpiRecord(RecordBase):
    UNIT = spec.Unit.MPI

    id_intervencion = models.CharField(max_length=spec.MAX_ID_LENGTH)
    fecha_intervencion = models.DateField(null=True)
    tipo_intervencion_local = models.CharField(max_length=spec.MAX_ID_LENGTH, blank=True)
    tipo_intervencion = models.CharField(max_length=60, blank=True)
    motivo = models.TextField(blank=True)
    derecho_vulnerado_local = models.CharField(max_length=spec.MAX_ID_LENGTH, blank=True)
    derecho_vulnerado = models.CharField(max_length=60, blank=True)
    origen_demanda_local = models.CharField(max_length=spec.MAX_ID_LENGTH, blank=True)
    origen_demanda = models.CharField(max_length=60, blank=True)
    organismo_interviniente = models.TextField(blank=True)
    fecha_cierre = models.DateField(null=True)
    motivo_cierre_local = models.CharField(max_length=spec.MAX_ID_LENGTH, blank=True)
    motivo_cierre = models.CharField(max_length=60, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["jurisdiction", "id_intervencion"], name="runac_mpi_key_idx"),
        ]

    def __str__(self) -> str:
        return f"MPI {self.id_intervencion}"


class MpeRecord(RecordBase):
    UNIT = spec.Unit.MPE

    id_intervencion = models.CharField(max_length=spec.MAX_ID_LENGTH)
    fecha_intervencion = models.DateField(null=True)
    tipo_intervencion_local = models.CharField(max_length=spec.MAX_ID_LENGTH, blank=True)
    tipo_intervencion = models.CharField(max_length=60, blank=True)
    motivo = models.TextField(blank=True)
    derecho_vulnerado_local = models.CharField(max_length=spec.MAX_ID_LENGTH, blank=True)
    derecho_vulnerado = models.CharField(max_length=60, blank=True)
    origen_demanda_local = models.CharField(max_length=spec.MAX_ID_LENGTH, blank=True)
    origen_demanda = models.CharField(max_length=60, blank=True)
    ambito_cumplimiento_local = models.CharField(max_length=spec.MAX_ID_LENGTH, blank=True)
    ambito_cumplimiento = models.CharField(max_length=60, blank=True)
    tipo_dispositivo_local = models.CharField(max_length=spec.MAX_ID_LENGTH, blank=True)
    tipo_dispositivo = models.CharField(max_length=60, blank=True)
    fecha_control_legalidad = models.DateField(null=True)
    tipo_proyecto_restitucion = models.CharField(max_length=30, blank=True)
    situacion_al_cese_local = models.CharField(max_length=spec.MAX_ID_LENGTH, blank=True)
    situacion_al_cese = models.CharField(max_length=60, blank=True)
    fecha_cese = models.DateField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["jurisdiction", "id_intervencion"], name="runac_mpe_key_idx"),
            models.Index(fields=["jurisdiction", "id_legajo"], name="runac_mpe_legajo_idx"),
        ]

    def __str__(self) -> str:
        return f"MPE {self.id_intervencion}"


class MpjRecord(RecordBase):
    UNIT = spec.Unit.MPJ

    id_intervencion = models.CharField(max_length=spec.MAX_ID_LENGTH)
    tipo_movimiento = models.CharField(max_length=10, blank=True)
    fecha_movimiento = models.DateField(null=True)
    tipo_medida_penal_local = models.CharField(max_length=spec.MAX_ID_LENGTH, blank=True)
    tipo_medida_penal = models.CharField(max_length=60, blank=True)
    dispositivo_local = models.CharField(max_length=spec.MAX_ID_LENGTH, blank=True)
    dispositivo = models.CharField(max_length=60, blank=True)
    organo_judicial = models.TextField(blank=True)
    delito_imputado_local = models.CharField(max_length=spec.MAX_ID_LENGTH, blank=True)
    delito_imputado = models.CharField(max_length=60, blank=True)
    situacion_procesal_local = models.CharField(max_length=spec.MAX_ID_LENGTH, blank=True)
    situacion_procesal = models.CharField(max_length=60, blank=True)
    motivo_egreso_local = models.CharField(max_length=spec.MAX_ID_LENGTH, blank=True)
    motivo_egreso = models.CharField(max_length=60, blank=True)
    id_ingreso_asociado = models.CharField(max_length=spec.MAX_ID_LENGTH, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["jurisdiction", "id_intervencion"], name="runac_mpj_key_idx"),
            models.Index(fields=["jurisdiction", "id_legajo"], name="runac_mpj_legajo_idx"),
        ]

    def __str__(self) -> str:
        return f"MPJ {self.id_intervencion}"


RECORD_MODELS: dict[spec.Unit, type[RecordBase]] = {
    spec.Unit.LEGAJOS: LegajoRecord,
    spec.Unit.MPI: MpiRecord,
    spec.Unit.MPE: MpeRecord,
    spec.Unit.MPJ: MpjRecord,
}


class DerivedBase(models.Model):
    """Computed from a jurisdiction's newest records after every load or correction (never edited).

    Only the indicators read these rows, always a jurisdiction's partition whole (aggregates over
    its dates): no index serves them better than a scan, and none is built on import
    (migration 0007_derived_without_indexes; on PostgreSQL not even the primary key's).
    """

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    id_legajo = models.CharField(max_length=spec.MAX_ID_LENGTH)
    genero = models.CharField(max_length=20, blank=True)
    birth_date = models.DateField(null=True)

    class Meta:
        abstract = True


class ExceptionalMeasure(DerivedBase):
    """An exceptional protection measure: from a PER_INICIAL to the next CESE_MPE of the same file."""

    start_intervention = models.CharField(max_length=spec.MAX_ID_LENGTH)
    start_date = models.DateField()
    end_intervention = models.CharField(max_length=spec.MAX_ID_LENGTH, blank=True)
    end_date = models.DateField(null=True)
    derecho_vulnerado = models.CharField(max_length=60, blank=True)
    origen_demanda = models.CharField(max_length=60, blank=True)
    situacion_al_cese = models.CharField(max_length=60, blank=True)
    tipo_proyecto_restitucion = models.CharField(max_length=30, blank=True)

    def __str__(self) -> str:
        return f"MPE {self.id_legajo} {self.start_date}"


class MeasurePlacement(DerivedBase):
    """Where the child lives during a stretch of a measure: [from_date, to_date), to_date null = open."""

    measure_start = models.DateField()
    from_date = models.DateField()
    to_date = models.DateField(null=True)
    ambito_cumplimiento = models.CharField(max_length=60, blank=True)
    tipo_dispositivo = models.CharField(max_length=60, blank=True)
    tipo_proyecto_restitucion = models.CharField(max_length=30, blank=True)

    def __str__(self) -> str:
        return f"{self.id_legajo} {self.from_date} {self.ambito_cumplimiento}"


class PenalStay(DerivedBase):
    """A juvenile-penal entry paired with the exit that closes it (exit empty while open)."""

    entry_intervention = models.CharField(max_length=spec.MAX_ID_LENGTH)
    entry_date = models.DateField()
    exit_intervention = models.CharField(max_length=spec.MAX_ID_LENGTH, blank=True)
    exit_date = models.DateField(null=True)
    tipo_medida_penal = models.CharField(max_length=60, blank=True)
    dispositivo = models.CharField(max_length=60, blank=True)
    delito_imputado = models.CharField(max_length=60, blank=True)
    situacion_procesal = models.CharField(max_length=60, blank=True)
    motivo_egreso = models.CharField(max_length=60, blank=True)

    def __str__(self) -> str:
        return f"MPJ {self.id_legajo} {self.entry_date}"


class CategoryCorrection(models.Model):
    """A national correction of one TE field of one loaded record.

    The record keeps the province's local id untouched; `from_category` keeps the category
    the record had before (the equivalence table's translation for the first correction).
    Only the newest correction of a record's field is active.
    """

    ACCESS_UNIT_FIELD = "jurisdiction__org_unit"

    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="+")
    delivery = models.ForeignKey(Delivery, on_delete=models.PROTECT, related_name="corrections")
    unit = models.CharField(max_length=10, choices=UNIT_CHOICES)
    record_id = models.BigIntegerField()
    record_key = models.CharField(max_length=spec.MAX_ID_LENGTH)
    field = models.CharField(max_length=40)
    local_id = models.CharField(max_length=spec.MAX_ID_LENGTH, blank=True)
    from_category = models.CharField(max_length=60, blank=True)
    to_category = models.CharField(max_length=60)
    reason = models.TextField()
    corrected_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    corrected_at = models.DateTimeField(auto_now_add=True)
    is_active = models.BooleanField(default=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-corrected_at", "-pk"]
        indexes = [models.Index(fields=["unit", "record_id"], name="runac_correction_record_idx")]

    def __str__(self) -> str:
        return f"{self.unit}.{self.field} {self.from_category} → {self.to_category}"
