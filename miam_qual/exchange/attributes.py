"""Cases, variables and attribute values of an exchange, fitted to the project: variables matched
to declared attributes (by name or label) or declared anew, values checked against their type,
cases become participants, a source's case its ``participant``. A value the project already has
is never overwritten: a different one is a conflict, reported."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..config import AttributeSpec
from ..errors import AttributeValueError
from ..store import documents as docs_sql
from ..store import people
from ..text import fold
from .matching import slug
from .model import MISSING_DOC, Plan
from .report import ExchangeReport

if TYPE_CHECKING:
    from ..project import Project

#: REFI-QDA variable types → miam_qual attribute types (Float and DateTime stay text).
TYPES = {"text": "texte", "integer": "entier", "boolean": "booleen", "date": "date"}


def plan_attributes(project: Project, plan: Plan) -> None:
    """Map variables to declared attributes (declaring new ones), values to documents and cases
    to participants."""
    config = project.config
    report = plan.report
    ex = plan.ex
    on_sources = {k for s in ex.sources for k in s.values}
    on_cases = {k for c in ex.cases for k in c.values}
    specs: dict[str, AttributeSpec | None] = {}
    names = {fold(n) for n in config.attributes}
    for variable in ex.variables:
        scope = (
            "participant"
            if variable.key in on_cases and variable.key not in on_sources
            else "document"
        )
        spec = _declared(config.attributes.values(), variable.name)
        if spec is None and variable.key not in on_sources | on_cases:
            continue
        if spec is None:
            name = slug(variable.name, names, prefix="attribut")
            names.add(name)
            kind = getattr(variable, "spec_type", None) or TYPES.get(
                variable.type.casefold(), "texte"
            )
            choices = tuple(getattr(variable, "choices", ()) or ())
            if kind == "choix" and not choices:
                kind = "texte"
            label = variable.description if variable.spec_type else variable.name
            spec = AttributeSpec(name, label or variable.name, scope, kind, choices)
            plan.new_specs[name] = spec
        specs[variable.key] = spec
    for variable in ex.variables:
        spec = specs.get(variable.key)
        if spec is None:
            continue
        other = "participant" if spec.scope == "document" else "document"
        used_elsewhere = variable.key in (on_cases if other == "participant" else on_sources)
        if used_elsewhere:
            report.lost.append(
                f"variable « {variable.name} » : ses valeurs sur les "
                f"{'cas' if other == 'participant' else 'sources'} ne sont pas reprises "
                f"(l'attribut « {spec.name} » est déclaré pour les {spec.scope}s)."
            )
    if plan.new_specs:
        report.adapted.append(
            "attributs déclarés dans projet.yml : "
            + ", ".join(
                f"« {s.name} » ({s.label}, {s.scope}, {s.type})" for s in plan.new_specs.values()
            )
            + "."
        )
    current = docs_sql.attributes_frame(project.store)
    current_values = {
        row["document_id"]: {
            k: v for k, v in row.items() if k != "document_id" and isinstance(v, str)
        }
        for row in current.to_dict("records")
    }
    owners: dict[str, str] = {}
    participant_spec = config.attributes.get("participant")
    document_scope = participant_spec is not None and participant_spec.scope == "document"
    for case in ex.cases:
        for key in case.sources:
            owners.setdefault(key, case.name)
    for match in plan.sources:
        if match.action == MISSING_DOC:
            continue
        values = {}
        for key, raw in match.source.values.items():
            spec = specs.get(key)
            if spec is None or spec.scope != "document":
                continue
            value = _coerce(spec, raw, f"« {match.source.name} »", report)
            if value is not None:
                values[spec.name] = value
        owner = owners.get(match.source.key)
        if owner and document_scope and "participant" not in values:
            values["participant"] = owner
        have = current_values.get(match.document_id or "", {})
        for name, value in list(values.items()):
            if name in have:
                if have[name] != value:
                    report.conflicts.append(
                        f"« {match.document} » : {name} vaut « {have[name]} » dans le projet, "
                        f"« {value} » dans l'échange (gardé : « {have[name]} »)."
                    )
                del values[name]
        match.attributes = values
    existing = people.participants_frame(project.store)
    known = {
        row["participant"]: {k: v for k, v in row.items() if isinstance(v, str)}
        for row in existing.to_dict("records")
    }
    wanted = {c.name: c for c in ex.cases}
    for match in plan.sources:
        person = match.attributes.get("participant")
        if person and person not in wanted:
            wanted[person] = None  # type: ignore[assignment]
    for name, case in wanted.items():
        values = {}
        for key, raw in case.values.items() if case is not None else ():
            spec = specs.get(key)
            if spec is None or spec.scope != "participant":
                continue
            value = _coerce(spec, raw, f"cas « {name} »", report)
            if value is not None:
                values[spec.name] = value
        have = known.get(name, {})
        for attribute, value in list(values.items()):
            if attribute in have and have[attribute] != value:
                report.conflicts.append(
                    f"participant « {name} » : {attribute} vaut « {have[attribute]} » dans le "
                    f"projet, « {value} » dans l'échange (gardé : « {have[attribute]} »)."
                )
            if attribute in have:
                del values[attribute]
        if name not in known or values:
            plan.participants[name] = values
    new_people = [n for n in plan.participants if n not in known]
    if new_people:
        report.adapted.append(
            f"{len(new_people)} participant(s) ajouté(s) sous leur nom dans l'échange "
            f"({', '.join(new_people[:5])}{'…' if len(new_people) > 5 else ''}) : vérifiez que ce "
            "sont bien des pseudonymes, et saisissez leurs consentements (aucun n'est importé)."
        )


def _declared(specs, name: str) -> AttributeSpec | None:
    folded = fold(name)
    for spec in specs:
        if folded in (fold(spec.name), fold(spec.label)) or slug(name, set()) == spec.name:
            return spec
    return None


def _coerce(spec: AttributeSpec, raw: str, where: str, report: ExchangeReport) -> str | None:
    try:
        return spec.coerce(raw, where=where)
    except AttributeValueError as err:
        report.lost.append(f"{err} (valeur non reprise)")
        return None
