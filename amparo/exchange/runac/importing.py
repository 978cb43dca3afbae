"""The import pipeline: plan the files, check and load them in one transaction, all or nothing.

Rows are checked while they stream into the record tables (COPY / bulk_create), then the
checks that need the whole delivery run in SQL. Any error rolls the transaction back: the
database keeps nothing of the delivery but its report. A clean delivery replaces the same
period's previous one (kept as history), refreshes which rows are newest and recomputes
the jurisdiction's measures, before the transaction commits.
"""

import datetime
import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from amparo.audit import services as audit
from amparo.audit.choices import AuditAction
from amparo.exchange.runac import derived, spec
from amparo.exchange.runac.choices import DeliveryStatus, EquivalenceSource
from amparo.exchange.runac.equivalences import EquivalenceRow, read_equivalence_file
from amparo.exchange.runac.errors import IssueCode, Severity, issue
from amparo.exchange.runac.loading import DeliveryChecks, TableWriter, record_columns, refresh_latest
from amparo.exchange.runac.models import RECORD_MODELS, Delivery, EquivalenceTable, Jurisdiction
from amparo.exchange.runac.reading import (
    UTF8,
    FileName,
    Source,
    byte_blocks,
    detect_encoding,
    encoding_label,
    parse_file_name,
)
from amparo.exchange.runac.staging import LoaderCopy, Staging
from amparo.exchange.runac.tables import (
    categories_by_field,
    current_table,
    equivalence_version_create,
    mapping_of,
    merge_rows,
)
from amparo.exchange.runac.validation import FileChecker, IssueCollector

logger = logging.getLogger(__name__)

FIRST_DELIVERY_CUT_OFF = datetime.date(2022, 12, 31)


@dataclass
class PlannedFile:
    source: Source
    name: FileName
    number: int = 0


@dataclass
class Plan:
    jurisdiction_code: str | None = None
    cut_off: datetime.date | None = None
    files: list[PlannedFile] = field(default_factory=list)
    # Every file name of the delivery in report order, with its unit when known.
    file_units: dict[str, spec.Unit | None] = field(default_factory=dict)


def plan_delivery(sources: list[Source], equivalence_name: str | None, collector: IssueCollector) -> Plan:
    """Read the file names: which jurisdiction and cut-off, which file is which unit."""
    plan = Plan()
    if equivalence_name:
        plan.file_units[equivalence_name] = None
    if not sources:
        collector.add(issue(IssueCode.NO_FILES, file=""))
        return plan
    parsed: list[PlannedFile] = []
    for source in sources:
        name, problems = parse_file_name(source.name)
        collector.extend(problems)
        if name is not None:
            parsed.append(PlannedFile(source, name))
    if not parsed:
        plan.file_units.update({source.name: None for source in sources})
        return plan
    plan.jurisdiction_code = Counter(item.name.jurisdiction for item in parsed).most_common(1)[0][0]
    plan.cut_off = Counter(item.name.cut_off for item in parsed).most_common(1)[0][0]
    seen: dict[tuple[spec.Unit, int], str] = {}
    for item in parsed:
        name = item.name
        if name.jurisdiction != plan.jurisdiction_code:
            collector.add(
                issue(
                    IssueCode.JURISDICTION_MISMATCH,
                    file=name.name,
                    value=name.jurisdiction,
                    expected=plan.jurisdiction_code,
                )
            )
        elif name.cut_off != plan.cut_off:
            collector.add(
                issue(
                    IssueCode.CUT_OFF_MISMATCH,
                    file=name.name,
                    value=f"{name.cut_off:%d/%m/%Y}",
                    expected=f"{plan.cut_off:%d/%m/%Y}",
                )
            )
        elif (name.unit, name.suffix) in seen:
            collector.add(
                issue(
                    IssueCode.FILE_DUPLICATED,
                    file=name.name,
                    value=seen[(name.unit, name.suffix)],
                    unit=name.unit.value,
                )
            )
        else:
            seen[(name.unit, name.suffix)] = name.name
            plan.files.append(item)
    plan.files.sort(key=lambda item: (spec.UNIT_ORDER[item.name.unit], item.name.suffix))
    numbers: Counter[spec.Unit] = Counter()
    for item in plan.files:
        item.number = numbers[item.name.unit]
        numbers[item.name.unit] += 1
    cut_off = plan.cut_off
    if (cut_off.day, cut_off.month) not in spec.CUT_OFF_DAYS and cut_off != FIRST_DELIVERY_CUT_OFF:
        collector.add(
            issue(
                IssueCode.CUT_OFF_UNUSUAL,
                file=plan.files[0].name.name if plan.files else "",
                value=f"{cut_off:%d/%m/%Y}",
            )
        )
    plan.file_units.update({item.name.name: item.name.unit for item in plan.files})
    plan.file_units.update({source.name: None for source in sources if source.name not in plan.file_units})
    return plan


class _Rejected(Exception):
    """Raised inside the loading transaction to roll it back."""


@dataclass
class _State:
    files: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    measures: int = 0
    stays: int = 0
    replaced: Delivery | None = None
    table: EquivalenceTable | None = None
    file_names: dict[tuple[spec.Unit, int], str] = field(default_factory=dict)
    staging: Staging | None = None
    timings: dict[str, float] = field(default_factory=dict)
    mark: float = field(default_factory=time.monotonic)

    def lap(self, phase: str) -> None:
        now = time.monotonic()
        self.timings[phase] = round(self.timings.get(phase, 0) + now - self.mark, 3)
        self.mark = now


def run(
    *,
    delivery: Delivery,
    sources: list[Source],
    equivalence_source: Source | None,
    actor: Any,
    may_import: Callable[[Jurisdiction], bool] | None = None,
) -> Delivery:
    """Check and load `sources` as `delivery` (already saved, PROCESSING). Returns it LOADED or REJECTED.

    `may_import` says whether the actor may send the jurisdiction's files (None: the system).
    """
    started = time.monotonic()
    collector = IssueCollector(
        max_errors=getattr(settings, "RUNAC_MAX_REPORTED_ERRORS", 50_000),
        max_warnings=getattr(settings, "RUNAC_MAX_REPORTED_WARNINGS", 5_000),
    )
    plan = plan_delivery(sources, equivalence_source.name if equivalence_source else None, collector)
    state = _State()
    jurisdiction = (
        Jurisdiction.objects.filter(code=plan.jurisdiction_code).first() if plan.jurisdiction_code else None
    )
    delivery.cut_off = plan.cut_off
    delivery.files = [{"name": source.name} for source in sources]
    if jurisdiction is not None and may_import is not None and not may_import(jurisdiction):
        collector.add(
            issue(
                IssueCode.NOT_ALLOWED,
                file=plan.files[0].name.name if plan.files else "",
                value=jurisdiction.code,
            )
        )
        return _finish(delivery, plan, state, collector, None, started, actor)
    delivery.jurisdiction = jurisdiction
    committed = False
    try:
        with transaction.atomic():
            _load(delivery, plan, state, jurisdiction, equivalence_source, collector, actor)
            if collector.has_errors:
                raise _Rejected
            _commit(delivery, plan, state, jurisdiction, collector, actor, started)  # type: ignore[arg-type]
        committed = True
        return delivery
    except _Rejected:
        pass
    except DatabaseError:
        logger.exception("RUNac delivery %s could not be loaded", delivery.pk)
        collector.add(issue(IssueCode.LOAD_FAILED, file=""))
    finally:
        # Only a committed transaction made the delivery's tables partitions; otherwise they go.
        _close_staging(state, loaded=committed)
    return _finish(delivery, plan, state, collector, jurisdiction, started, actor)


def _close_staging(state: "_State", *, loaded: bool) -> None:
    """Stop the loaders; a delivery that was not loaded leaves none of its tables behind."""
    staging = state.staging
    if staging is None:
        return
    try:
        if not loaded:
            staging.stop()
            staging.drop()
    finally:
        staging.close()


def _load(
    delivery: Delivery,
    plan: Plan,
    state: _State,
    jurisdiction: Jurisdiction | None,
    equivalence_source: Source | None,
    collector: IssueCollector,
    actor: Any,
) -> None:
    mapping: dict[tuple[str, str], dict[str, str]] | None = None
    if jurisdiction is not None:
        Jurisdiction.objects.select_for_update().filter(pk=jurisdiction.pk).first()
        # Newest-row queries compare cut-offs in SQL: this delivery's must be in its row already.
        delivery.save(update_fields=["jurisdiction", "cut_off"])
        state.table = current_table(jurisdiction)
        mapping = mapping_of(state.table)
    if equivalence_source is not None:
        _, rows, problems = read_equivalence_file(
            equivalence_source, categories=categories_by_field(), expected_jurisdiction=plan.jurisdiction_code
        )
        collector.extend(problems)
        if mapping is not None and not any(problem.severity == Severity.ERROR for problem in problems):
            state.table = _table_with(jurisdiction, state.table, rows, equivalence_source.name, actor)  # type: ignore[arg-type]
            mapping = mapping_of(state.table)
    if jurisdiction is not None:
        state.replaced = (
            Delivery.objects.select_for_update()
            .filter(jurisdiction=jurisdiction, cut_off=plan.cut_off, status=DeliveryStatus.LOADED)
            .exclude(pk=delivery.pk)
            .first()
        )
    date_cache: dict[str, Any] = {}
    state.file_names = {(item.name.unit, item.number): item.name.name for item in plan.files}
    staging = None
    if jurisdiction is not None and plan.files and connection.vendor == "postgresql":
        staging = state.staging = Staging.start(delivery.pk)
    state.lap("prepare")
    for position, item in enumerate(plan.files):
        state.files.append(
            _load_file(delivery, item, jurisdiction, mapping, plan, collector, date_cache, staging)
        )
        unit = item.name.unit
        state.counts[unit.value] = state.counts.get(unit.value, 0) + state.files[-1]["rows"]
        last_of_unit = position + 1 == len(plan.files) or plan.files[position + 1].name.unit != unit
        if staging is not None and last_of_unit:
            staging.build_indexes(staging.units[unit])
    state.lap("read_check_copy")
    if staging is not None:
        staging.finish()
        state.lap("indexes")
    if jurisdiction is not None and plan.files:
        _plan_for_bulk()
        earlier = list(
            Delivery.objects.filter(jurisdiction=jurisdiction, status=DeliveryStatus.LOADED)
            .exclude(cut_off=plan.cut_off)
            .values_list("pk", flat=True)
        )
        DeliveryChecks(
            delivery_id=delivery.pk,
            jurisdiction_id=jurisdiction.pk,
            earlier_delivery_ids=earlier,
            file_names=state.file_names,
            collector=collector,
            tables=staging.tables() if staging else None,
            unique_proven=staging.unique_proven() if staging else None,
        ).run({item.name.unit for item in plan.files}, runner=staging.run_queries if staging else None)
        state.lap("sql_checks")
        if staging is not None and not collector.has_errors:
            staging.attach()
            state.lap("attach")


def _plan_for_bulk() -> None:
    """Steer PostgreSQL away from nested loops for the rest of the loading transaction.

    Freshly copied rows have no statistics yet, so the planner believes the tables are
    nearly empty and would check a million rows by nested loops; hash joins are right for
    every set-wide check here (cheaper than ANALYZE; autovacuum analyses them afterwards).
    A larger work_mem keeps those hashes and sorts in memory (RUNAC_IMPORT_WORK_MEM).
    """
    if connection.vendor == "postgresql":
        work_mem = getattr(settings, "RUNAC_IMPORT_WORK_MEM", "128MB")
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_nestloop = off")
            cursor.execute("SELECT set_config('work_mem', %s, true)", [work_mem])


def _table_with(
    jurisdiction: Jurisdiction,
    table: EquivalenceTable | None,
    rows: list[EquivalenceRow],
    file_name: str,
    actor: Any,
) -> EquivalenceTable | None:
    """The table a delivery's `--te` file makes current (a new version only when something changed)."""
    merged, added, changed, removed = merge_rows(table, rows, replace=False)
    if not (added or changed or removed):
        return table
    return equivalence_version_create(
        jurisdiction=jurisdiction,
        rows=merged,
        source=EquivalenceSource.DELIVERY,
        actor=actor,
        file_name=file_name,
        stats=(added, changed, removed),
    )


def _load_file(
    delivery: Delivery,
    item: PlannedFile,
    jurisdiction: Jurisdiction | None,
    mapping: dict[tuple[str, str], dict[str, str]] | None,
    plan: Plan,
    collector: IssueCollector,
    date_cache: dict[str, Any],
    staging: Staging | None,
) -> dict[str, Any]:
    unit, name = item.name.unit, item.name.name
    encoding = detect_encoding(item.source)
    if encoding != UTF8:
        collector.add(issue(IssueCode.ENCODING_FALLBACK, file=name, value=encoding_label(encoding)))
    checker = FileChecker(
        unit=unit,
        file_name=name,
        file_number=item.number,
        jurisdiction_code=plan.jurisdiction_code or "",
        equivalences=mapping,
        cut_off=item.name.cut_off,
        collector=collector,
        date_cache=date_cache,
        null="\\N" if connection.vendor == "postgresql" else None,
        encoding=encoding,
    )
    writer = None
    if jurisdiction is not None:
        constants = {"delivery_id": delivery.pk, "jurisdiction_id": jurisdiction.pk, "is_latest": True}
        columns = record_columns(unit)
        if staging is None:
            writer = TableWriter(RECORD_MODELS[unit], columns, constants)
        else:
            # A loader copies into the delivery's own table, whose defaults hold the constants.
            staged = staging.unit_for(unit, _size(item.source))
            staging.set_defaults(staged, {**constants, "file_number": item.number})
            columns.remove("file_number")
            writer = TableWriter(
                RECORD_MODELS[unit],
                columns,
                {},
                table=staged.name,
                sink=LoaderCopy(staged.loader),
            )
    size = 0
    try:
        with item.source.open() as stream:
            header = stream.readline().decode(encoding)
            if header == "":
                collector.add(issue(IssueCode.FILE_EMPTY, file=name, line=1))
            elif checker.check_header(header):
                line = 2
                for block in byte_blocks(stream):
                    columns, count = checker.check_block(block, line)
                    line += count
                    if columns is not None and writer is not None:
                        writer.write(columns)
            size = stream.tell()
    finally:
        if writer is not None:
            writer.close()
    return {
        "name": name,
        "unit": unit.value,
        "suffix": item.name.suffix,
        "rows": checker.rows,
        "encoding": encoding_label(encoding),
        "size": size,
    }


def _size(source: Source) -> int:
    with source.open() as stream:
        return stream.seek(0, 2)


def _commit(
    delivery: Delivery,
    plan: Plan,
    state: _State,
    jurisdiction: Jurisdiction,
    collector: IssueCollector,
    actor: Any,
    started: float,
) -> None:
    now = timezone.now()
    replaced = state.replaced
    if replaced is not None:
        replaced.status = DeliveryStatus.SUPERSEDED
        replaced.superseded_at = now
        replaced.save(update_fields=["status", "superseded_at"])
    others = list(
        Delivery.objects.filter(jurisdiction=jurisdiction, status=DeliveryStatus.LOADED)
        .exclude(pk=delivery.pk)
        .values_list("pk", flat=True)
    )
    refresh_latest(
        jurisdiction_id=jurisdiction.pk,
        delivery_id=delivery.pk,
        replaced_id=replaced.pk if replaced else None,
        other_ids=others,
    )
    state.lap("newest_rows")
    reporter = derived.Reporter(delivery_id=delivery.pk, file_names=state.file_names, collector=collector)
    state.measures, state.stays = derived.rebuild(
        jurisdiction_id=jurisdiction.pk, reporter=reporter, staging=state.staging
    )
    state.lap("measures")
    delivery.replaces = replaced
    delivery.equivalence_table = state.table
    _fill(delivery, plan, state, collector, DeliveryStatus.LOADED, started)
    delivery.save()
    audit.record(
        actor=actor,
        action=AuditAction.RUNAC_DELIVERY_LOADED,
        target=delivery,
        username="system",
        extra={
            "jurisdiction": jurisdiction.code,
            "cut_off": f"{plan.cut_off:%d/%m/%Y}",
            "counts": state.counts,
            "replaces": replaced.pk if replaced else None,
            "equivalence_table": state.table.version if state.table else None,
            "warnings": collector.warning_count,
        },
    )


def _fill(
    delivery: Delivery,
    plan: Plan,
    state: _State,
    collector: IssueCollector,
    status: DeliveryStatus,
    started: float,
) -> None:
    delivery.status = status
    delivery.files = state.files or delivery.files
    delivery.counts = state.counts
    delivery.measure_count = state.measures
    delivery.penal_stay_count = state.stays
    delivery.error_count = collector.error_count
    delivery.warning_count = collector.warning_count
    delivery.issues = [item.as_dict() for item in collector.sorted_issues(plan.file_units)]
    delivery.issues_truncated = collector.truncated
    delivery.finished_at = timezone.now()
    delivery.seconds = round(time.monotonic() - started, 3)
    delivery.timings = state.timings


def _finish(
    delivery: Delivery,
    plan: Plan,
    state: _State,
    collector: IssueCollector,
    jurisdiction: Jurisdiction | None,
    started: float,
    actor: Any,
) -> Delivery:
    """Record a rejection (after the loading transaction rolled back)."""
    with transaction.atomic():
        delivery.jurisdiction = jurisdiction
        delivery.equivalence_table = None
        state.measures = state.stays = 0
        state.counts = {}
        for item in state.files:
            item["rows_checked"] = item.pop("rows", 0)
        _fill(delivery, plan, state, collector, DeliveryStatus.REJECTED, started)
        delivery.save()
        audit.record(
            actor=actor,
            action=AuditAction.RUNAC_DELIVERY_REJECTED,
            target=delivery,
            username="system",
            extra={
                "jurisdiction": jurisdiction.code if jurisdiction else None,
                "cut_off": f"{plan.cut_off:%d/%m/%Y}" if plan.cut_off else None,
                "errors": collector.error_count,
                "warnings": collector.warning_count,
            },
        )
    return delivery
