"""Every coverage table as headers and rows: the pages' exports (CSV, XLSX) and the yearly report.

Rates are written as percentages with one decimal (a number, so spreadsheets can sort and chart it);
mobiles are already masked by the domain.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from flask_babel import gettext as _

from portal.domain.coverage.arithmetic import Figure
from portal.domain.coverage.duties import DutyFigures, DutyLine
from portal.domain.coverage.gaps import LocalityGap, OrganizationGap
from portal.domain.coverage.missing import MissingPerson
from portal.domain.coverage.offline_trace import NO_SESSION, OfflineTrace
from portal.domain.coverage.places import Place
from portal.domain.coverage.projection import LATE, ON_TRACK, REACHED, STALLED, Projection
from portal.domain.coverage.snapshot import GroupLine
from portal.domain.coverage.requirements import GroupInfo


def percent(rate: float | None) -> float | None:
    return None if rate is None else round(rate * 100, 1)


def projection_text(projection: Projection | None) -> str:
    if projection is None:
        return ""
    if projection.status == REACHED:
        return _("Target reached")
    if projection.status == STALLED:
        return _("Not at the current pace")
    when = projection.reach_on.isoformat() if projection.reach_on else ""
    if projection.status == LATE:
        return _("%(date)s, after the deadline", date=when)
    return when if projection.status == ON_TRACK else ""


def figure_columns() -> list[str]:
    return [_("Population"), _("On rosters"), _("Declared"), _("Covered"), _("Coverage (%)"), _("Target (%)"),
            _("Still to train")]


def figure_values(figure: Figure) -> list:
    return [figure.population, figure.roster, figure.declared, figure.covered, percent(figure.rate),
            percent(figure.target_rate), figure.missing]


def headline_table(lines: list[GroupLine], locale: str):
    headers = [_("Key group"), *figure_columns(), _("Deadline"), _("Covered 28 days ago"), _("Projected full coverage")]
    rows = [[line.group.name(locale), *figure_values(line.now), line.now.goal.deadline if line.now.goal else None,
             line.before.covered if line.before else None, projection_text(line.projection)] for line in lines]
    return headers, rows


def locality_table(rows: list[tuple[Place, dict[int, Figure]]], groups: list[GroupInfo], locale: str):
    headers = [_("Locality"), _("Code"), _("Level"), _("Key group"), *figure_columns()]
    body = []
    for place, figures in rows:
        for group in groups:
            body.append([place.name(locale), place.code, level_label(place.level), group.name(locale),
                         *figure_values(figures[group.id])])
    return headers, body


def sector_table(rows, groups: list[GroupInfo], locale: str):
    """rows: (sector, {group id: Figure})."""
    headers = [_("Sector"), _("Key group"), *figure_columns()]
    body = [[sector.name(locale), group.name(locale), *figure_values(figures[group.id])]
            for sector, figures in rows for group in groups if group.id in figures]
    return headers, body


def organization_table(rows, attributes: dict, sectors: dict[int, str], places: dict, locale: str):
    """rows: (organization id, key group label, Figure); attributes: id -> (name, credit code, sector, locality)."""
    headers = [_("Organization"), _("Unified social credit code"), _("Sector"), _("Locality"), _("Key group"),
               *figure_columns()]
    body = []
    for org_id, label, figure in rows:
        name, code, sector_id, locality_id = attributes.get(org_id, ("", "", None, None))
        place = places.get(locality_id)
        body.append([name, code, sectors.get(sector_id, ""), place.name(locale) if place else "", label,
                     *figure_values(figure)])
    return headers, body


def missing_table(people: Iterable[MissingPerson], localities: dict[int, Place], locale: str):
    headers = [_("Name"), _("Mobile"), _("Organization"), _("Locality"), _("Missing courses")]

    def rows():
        no_employer, texts = _("No employer"), {}  # most people lack the same few things: translate those once
        for person in people:
            place = localities.get(person.locality_id)
            yield [person.name, person.mobile, person.organization_name or no_employer,
                   place.name(locale) if place else "", lacks_text(person, locale, texts)]

    return headers, rows()


def lacks_text(person: MissingPerson, locale: str, texts: dict | None = None) -> str:
    """"Course A (never completed); Course B (expired 2026-01-31)"; `texts` remembers each part's text."""
    texts = {} if texts is None else texts
    parts = []
    for lack in person.lacks:
        key = (lack.course.id, lack.expired_on)
        if key not in texts:
            title = lack.course.title(locale)
            texts[key] = (_("%(course)s (expired %(date)s)", course=title, date=lack.expired_on.isoformat())
                          if lack.expired_on else _("%(course)s (never completed)", course=title))
        parts.append(texts[key])
    return "; ".join(parts)


def trend_table(series: dict[int, list[tuple[date, Figure]]], groups: list[GroupInfo], locale: str):
    headers = [_("Date"), _("Key group"), _("Population"), _("Covered"), _("Coverage (%)")]
    body = [[day, group.name(locale), figure.population, figure.covered, percent(figure.rate)]
            for group in groups if group.id in series for day, figure in series[group.id]]
    return headers, body


def organization_gap_table(gaps: list[OrganizationGap], sectors: dict[int, str], localities: dict[int, Place],
                           groups: list[GroupInfo], locale: str):
    names = {g.id: g.name(locale) for g in groups}
    headers = [_("Organization"), _("Sector"), _("Locality"), _("Contact"), _("Contact phone"), _("Population"),
               _("Covered"), _("Coverage (%)"), _("Still to train"), _("Most behind in")]
    body = [[gap.name, sectors.get(gap.sector_id, ""),
             localities[gap.locality_id].name(locale) if gap.locality_id in localities else "", gap.contact_name,
             gap.contact_phone, gap.figure.population, gap.figure.covered, percent(gap.figure.rate),
             gap.figure.missing, names.get(gap.worst_group_id, "")] for gap in gaps]
    return headers, body


def locality_gap_table(gaps: list[LocalityGap], locale: str):
    headers = [_("Locality"), _("Code"), _("Level"), _("Population"), _("Covered"), _("Coverage (%)"),
               _("Still to train")]
    body = [[" › ".join(p.name(locale) for p in gap.path), gap.place.code, level_label(gap.place.level),
             gap.figure.population, gap.figure.covered, percent(gap.figure.rate), gap.figure.missing] for gap in gaps]
    return headers, body


def level_label(level: str) -> str:
    return {"district": _("District"), "street": _("Street / township"), "community": _("Community / village"),
            "grid": _("Grid")}.get(level, level)


def offline_trace_table(trace: OfflineTrace, locale: str):
    """The report's annex as a table: a row per classroom session (with the completions it made), then a row per
    completion no session stands behind, with its source."""
    headers = [_("Source"), _("Date"), _("Course"), _("Organized or recorded by"), _("Trainer"), _("Place"),
               _("Training provider"), _("Evidence"), _("Completions"), _("Class hours each")]
    office = _("The office")
    body = [[_("Classroom session"), s.held_on, s.course.title(locale), s.organizer or office, s.trainer, s.place,
             "", "", s.completions, s.hours] for s in trace.sessions]
    body += [[untraced_source(u.kind), u.completed_on, u.course.title(locale),
              u.organization or (office if u.kind != NO_SESSION else ""), "", "", u.provider, u.evidence, 1, u.hours]
             for u in trace.untraced]
    return headers, body


def untraced_source(kind: str) -> str:
    """What stands behind a completion no classroom session made."""
    if kind == NO_SESSION:
        return _("Offline, no session recorded")
    return _("Prior training recorded by hand")


def duty_group_label(key, locale: str, total_label: str = "") -> str:
    """A DutyLine's group in words: an organization kind, a street, a sector, or every organization in view."""
    from portal.domain.workforce.organizations import kind_label

    if key is None:
        return total_label or _("Whole district")
    return kind_label(key) if isinstance(key, str) else key.name(locale)


def duty_columns() -> list[str]:
    return [_("Organizations"), _("Drills up to date"), _("Drills due soon"), _("Drills overdue"),
            _("Drill compliance (%)"), _("Commitments required"), _("Commitments signed"), _("Commitments to sign"),
            _("Training first"), _("Commitment coverage (%)")]


def duty_values(line: DutyLine) -> list:
    counts, coverage = line.drill_counts, line.commitments
    return [line.organizations, counts["ok"], counts["due_soon"], counts["overdue"], percent(line.drill_rate),
            coverage.required, coverage.signed, line.to_sign, line.commitment_counts["training_first"],
            percent(coverage.rate)]


def duty_table(figures: DutyFigures, locale: str, total_label: str = ""):
    """Drills and commitments per organization kind, street and sector, every organization together, then the
    commitments per role."""
    from portal.domain.workforce.commitments import role_label

    headers = [_("Grouped by"), _("Group"), *duty_columns()]
    body = [[dimension, duty_group_label(line.key, locale), *duty_values(line)]
            for dimension, lines in ((_("Kind of organization"), figures.kinds),
                                     (_("Street / township"), figures.streets), (_("Sector"), figures.sectors))
            for line in lines]
    body.append(["", duty_group_label(None, locale, total_label), *duty_values(figures.total)])
    body += [[_("Role"), role_label(r.role), None, None, None, None, None, r.required, r.signed, r.to_sign,
              r.counts["training_first"], percent(r.rate)] for r in figures.roles]
    return headers, body


def overdue_drill_table(figures: DutyFigures, locale: str):
    """The organizations overdue with their fire drills, the longest overdue first."""
    from portal.domain.workforce.organizations import kind_label

    headers = [_("Organization"), _("Kind of organization"), _("Street / township"), _("Sector"), _("Last drill"),
               _("Drill was due"), _("Days overdue")]
    body = [[o.name, kind_label(o.kind), o.street.name(locale) if o.street else "",
             o.sector.name(locale) if o.sector else "", o.status.last_held or _("No drill recorded"),
             o.status.next_due, o.status.days_overdue] for o in figures.overdue]
    return headers, body
