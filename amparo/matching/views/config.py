"""The matcher settings page: which fields take part, their thresholds, decision thresholds,
blocking rules and extra nicknames — per record type, without code."""

import json
from copy import deepcopy
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from amparo.accounts import access
from amparo.common.errors import ApplicationError, ConflictError
from amparo.matching import selectors, services
from amparo.matching.choices import RecordType
from amparo.matching.forms import ComparisonFormSet, MatcherSettingsForm
from amparo.matching.linkage.specification import ComparisonKind, parse_spec
from amparo.matching.presentation import comparison_label
from amparo.matching.services.calibration import MIN_DECISIONS, MIN_EACH
from amparo.matching.services.configuration import DISABLED
from amparo.matching.views.common import AuthenticatedRequest, can_configure


def _initial(definition: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    rows = []
    for enabled, items in ((True, definition["comparisons"]), (False, definition.get(DISABLED, []))):
        for item in items:
            rows.append(
                {
                    "name": item["name"],
                    "enabled": enabled,
                    "term_frequency": item.get("term_frequency", False),
                    "thresholds": ", ".join(f"{value:g}" for value in item.get("thresholds", [])),
                }
            )
    settings = {
        "review_threshold": definition.get("review_threshold", 0.5),
        "display_threshold": definition.get("display_threshold", 0.2),
        "matches_per_record": definition.get("matches_per_record", 0.05),
        "blocking_rules": "\n".join(" + ".join(rule) for rule in definition["blocking_rules"]),
        "nicknames": "\n".join(
            f"{name} = {' | '.join(names)}" for name, names in definition.get("nicknames", {}).items()
        ),
    }
    return rows, settings


def _scoring(comparisons: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """What a pair's Bayes factor depends on in a list of comparisons."""
    return sorted(
        (
            item["name"],
            [float(value) for value in item.get("thresholds", [])],
            bool(item.get("term_frequency")),
        )
        for item in comparisons
    )


def _edited(
    definition: dict[str, Any], rows: list[dict[str, Any]], settings: dict[str, Any]
) -> dict[str, Any]:
    """The definition with the form's changes; a comparison whose levels change loses its learned weights."""
    every = {
        item["name"]: deepcopy(item) for item in [*definition["comparisons"], *definition.get(DISABLED, [])]
    }
    enabled: list[dict[str, Any]] = []
    disabled: list[dict[str, Any]] = []
    for row in rows:
        item = every[row["name"]]
        if ComparisonKind(item["kind"]) not in (ComparisonKind.EXACT, ComparisonKind.PLACE):
            if [float(value) for value in item.get("thresholds", [])] != row["thresholds"]:
                if len(item.get("thresholds", [])) != len(row["thresholds"]):
                    for key in ("m", "u", "u_family"):
                        item.pop(key, None)
                item["thresholds"] = row["thresholds"]
        item["term_frequency"] = row["term_frequency"]
        (enabled if row["enabled"] else disabled).append(item)
    edited = {**definition, "comparisons": enabled, DISABLED: disabled}
    names = {item["name"] for item in enabled}
    if not set(definition.get("family_comparisons", [])) <= names:
        edited["family_comparisons"], edited["family_rule"] = [], []
    if _scoring(definition["comparisons"]) != _scoring(enabled):
        # The calibration was learned for the Bayes factors of the old comparisons: it no longer
        # applies (refit it from reviewers' decisions, or restore the shipped one, afterwards).
        edited.pop("calibration", None)
    edited.update(
        review_threshold=settings["review_threshold"],
        display_threshold=settings["display_threshold"],
        matches_per_record=settings["matches_per_record"],
        blocking_rules=settings["blocking_rules"],
        nicknames=settings["nicknames"],
    )
    return edited


@login_required
def config_edit(request: AuthenticatedRequest, record_type: str) -> HttpResponse:
    access.require(can_configure(request.user) and record_type in RecordType.values)
    config = services.matcher_config_get(record_type=record_type)
    rows, initial = _initial(config.definition)
    formset = ComparisonFormSet(request.POST or None, initial=rows, prefix="comparison")
    form = MatcherSettingsForm(request.POST or None, initial={**initial, "version": config.version})
    problems: list[str] = []
    if request.method == "POST" and formset.is_valid() and form.is_valid():
        definition = _edited(config.definition, [row.cleaned_data for row in formset], form.cleaned_data)
        try:
            services.matcher_config_update(
                actor=request.user,
                record_type=record_type,
                definition=definition,
                expected_version=form.cleaned_data["version"],
                note=form.cleaned_data["note"] or "",
            )
        except ValidationError as error:
            problems = [
                f"{path}: {message}" for path, found in error.message_dict.items() for message in found
            ]
        except ConflictError as error:
            problems = [error.message]
        else:
            messages.success(request, _("Matching settings saved."))
            return redirect("matching:config", record_type)
    kinds = {
        item["name"]: item["kind"]
        for item in [*config.definition["comparisons"], *config.definition.get(DISABLED, [])]
    }
    names = [row["name"] for row in rows]
    comparison_rows = [
        (row_form, comparison_label(name), kinds[name]) for row_form, name in zip(formset, names, strict=True)
    ]
    context = {
        "config": config,
        "record_type": record_type,
        "record_types": RecordType.choices,
        "formset": formset,
        "comparison_rows": comparison_rows,
        "form": form,
        "problems": problems,
        "definition_json": json.dumps(config.definition, ensure_ascii=False, indent=2),
        "revisions": config.revisions.select_related("created_by")[:10],
        "calibration": _calibration_context(config.definition, record_type),
    }
    return render(request, "matching/config.html", context, status=400 if problems or form.errors else 200)


def _calibration_context(definition: dict[str, Any], record_type: str) -> dict[str, Any]:
    spec = parse_spec(definition)
    return {
        "present": spec.calibration is not None,
        "source": spec.calibration_source,
        "sizes": list(spec.calibration.sizes) if spec.calibration is not None else [],
        # Reviewers decide pairs of registered persons: only that record type can be refitted.
        "refittable": record_type == RecordType.PERSON,
        "decisions": selectors.calibration_decisions() if record_type == RecordType.PERSON else None,
        "needed": MIN_DECISIONS,
        "each": MIN_EACH,
    }


@login_required
@require_POST
def config_calibration(request: AuthenticatedRequest, record_type: str) -> HttpResponse:
    """Refit the calibration from reviewers' decisions, or put back the shipped one."""
    access.require(can_configure(request.user) and record_type == RecordType.PERSON)
    action = request.POST.get("action")
    if action not in ("refit", "shipped"):
        return HttpResponse(status=400)
    try:
        if action == "refit":
            services.matcher_calibration_refit(actor=request.user, record_type=record_type)
        else:
            services.matcher_calibration_reset(actor=request.user, record_type=record_type)
    except ApplicationError as error:  # too few decisions, or a concurrent change
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Calibration refitted from reviewers' decisions.")
            if action == "refit"
            else _("Shipped calibration restored."),
        )
    return redirect("matching:config", record_type)
