"""A coverage report as a PDF (reportlab, A4), with the CJK font embedded so its text extracts: a year's
report, or the plan period's (the same sections; the title, the trend's step and the plan table's heading
follow report.period).

The same file comes from the office's page and from `flask report yearly --year Y` (or `--plan`).
"""
from __future__ import annotations

import io
from dataclasses import dataclass

from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from portal.domain.platform.pdf_fonts import register_font
from portal.domain.coverage.arithmetic import Figure, rate_text
from portal.domain.coverage.report import CoverageReport, YearActivity
from portal.domain.coverage.offline_trace import NO_SESSION
from portal.domain.coverage.report_drawings import HEAD, LINE, RED, bar_drawing, line_drawing
from portal.domain.workforce.commitments import role_label
from portal.domain.workforce.compliance import DUE_SOON_DAYS
from portal.domain.coverage.tables import duty_group_label, level_label, projection_text, untraced_source
from portal.domain.workforce.organizations import kind_label

@dataclass(frozen=True)
class ReportSettings:
    font_path: str
    office_name: str
    locale: str
    scope_label: str = ""  # e.g. the department's sectors; empty for the whole district


def office_settings(config, locale: str, scope_label: str = "") -> ReportSettings:
    """A report's settings in `locale` from the app's configuration (the font, the office's name)."""
    name = config["CERT_OFFICE_NAME_EN" if locale == "en" else "CERT_OFFICE_NAME_ZH"]
    return ReportSettings(font_path=config["CERT_FONT_PATH"], office_name=name, locale=locale,
                          scope_label=scope_label)


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=font, fontSize=9.5, leading=13, wordWrap="CJK")
    return {
        "base": base,
        "title": ParagraphStyle("title", parent=base, fontSize=18, leading=24, alignment=TA_CENTER, textColor=RED),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=11, leading=15, alignment=TA_CENTER),
        "h2": ParagraphStyle("h2", parent=base, fontSize=13, leading=18, spaceBefore=10, spaceAfter=4, textColor=RED),
        "small": ParagraphStyle("small", parent=base, fontSize=7.5, leading=9.5),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8, leading=10),
    }


def render_report(report: CoverageReport, settings: ReportSettings) -> bytes:
    """The report as PDF bytes."""
    font = register_font(settings.font_path)
    styles = _styles(font)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
                            bottomMargin=15 * mm, title=title(report), author=settings.office_name)
    story = [*_cover(report, settings, styles), *_groups(report, settings, styles, font),
             *_streets(report, settings, styles, font), *_sectors(report, settings, styles, font),
             *_duties(report, settings, styles, font), *_trend(report, settings, styles, font), *_gaps(report, settings, styles, font),
             *_plan(report, settings, styles, font), *_offline_annex(report, settings, styles, font)]

    def footer(canvas, document):
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.setFillColor(colors.grey)
        canvas.drawString(15 * mm, 8 * mm, f"{settings.office_name} · {report.period.label}")
        canvas.drawRightString(A4[0] - 15 * mm, 8 * mm, _("Page %(page)s", page=document.page))
        canvas.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def _table(rows: list[list], font: str, *, widths=None, header_rows: int = 1, size: float = 8) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=header_rows, hAlign="LEFT")
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), font, size), ("LEADING", (0, 0), (-1, -1), size + 2),
        ("BACKGROUND", (0, 0), (-1, header_rows - 1), HEAD), ("GRID", (0, 0), (-1, -1), 0.4, LINE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"), ("ALIGN", (1, header_rows), (-1, -1), "RIGHT"),
    ]))
    return table


def _p(text, style) -> Paragraph:
    from xml.sax.saxutils import escape

    return Paragraph(escape(str(text)), style)


def title(report: CoverageReport) -> str:
    if report.period.whole_plan:
        return _("Fire-safety training coverage report for the plan period %(years)s", years=report.period.label)
    return _("Fire-safety training coverage report %(year)s", year=report.period.label)


def _cover(report: CoverageReport, settings: ReportSettings, styles) -> list:
    compliance = report.compliance
    figures = [
        [_("Coverage of the key groups (person-group pairs)"), rate_text(report.overall.rate)],
        [_("Target population (person-group pairs)"), f"{report.overall.population:,}"],
        [_("Covered (person-group pairs)"), f"{report.overall.covered:,}"],
        [_("Still to train (person-group pairs)"), f"{report.overall.missing:,}"],
        [_("Onboarding compliance (new hires trained before starting)"),
         f"{rate_text(compliance.onboarding_rate)} ({compliance.hires_trained:,} / {compliance.hires:,})"],
        [_("Periodic compliance (renewals done by their due date)"),
         f"{rate_text(compliance.periodic_rate)} ({compliance.periodic_on_time:,} / {compliance.periodic_due:,})"],
        [_("Overdue assignments"), _("%(assignments)s (%(people)s people)",
                                     assignments=f"{compliance.overdue_assignments:,}",
                                     people=f"{compliance.overdue_people:,}")],
        [_("Certificates issued in %(year)s", year=report.period.label), f"{compliance.certificates:,}"],
    ]
    story = [
        _p(settings.office_name, styles["subtitle"]), Spacer(1, 4 * mm), _p(title(report), styles["title"]),
        _p(_("Figures as of %(date)s", date=report.as_of.isoformat()), styles["subtitle"]),
    ]
    if settings.scope_label:
        story.append(_p(_("Scope: %(scope)s (rosters only)", scope=settings.scope_label), styles["subtitle"]))
    story += [Spacer(1, 6 * mm), _p(definition(), styles["small"]), Spacer(1, 4 * mm),
              _p(_("Headline figures"), styles["h2"]),
              _table([[_p(a, styles["cell"]), b] for a, b in figures], styles["cell"].fontName,
                     widths=[120 * mm, 55 * mm], header_rows=0, size=9)]
    return story


def definition() -> str:
    return _("Coverage = people of the target population (company rosters plus the counts the office declares "
             "for groups without rosters) who hold a currently valid completion of every course their group "
             "requires, divided by the target population.")


def _groups(report: CoverageReport, settings: ReportSettings, styles, font) -> list:
    locale = settings.locale
    rows = [[_("Key group"), _("Population"), _("Covered"), _("Coverage"), _("Target"), _("Deadline"),
             _("Projected full coverage")]]
    for line in report.headline:
        figure = line.now
        outlook = projection_text(line.projection) if figure.population else _("No one in this group")
        rows.append([_p(line.group.name(locale), styles["cell"]), f"{figure.population:,}", f"{figure.covered:,}",
                     rate_text(figure.rate), rate_text(figure.target_rate),
                     figure.goal.deadline.isoformat() if figure.goal else "", _p(outlook, styles["cell"])])
    chart = bar_drawing([(line.group.name(locale), line.now.rate, line.now.target_rate) for line in report.headline],
                        font)
    return [_p(_("Coverage per key group"), styles["h2"]),
            _p(_("Each row counts the people of one key group (someone in two groups is counted in both)."),
               styles["small"]),
            _table(rows, font, widths=[48 * mm, 20 * mm, 20 * mm, 18 * mm, 16 * mm, 22 * mm, 36 * mm]),
            Spacer(1, 4 * mm), KeepTogether([_p(_("Chart: coverage per key group against target"), styles["small"]),
                                             chart])]


def _matrix(title_cell: str, columns: list[str], rows: list[tuple[str, list[str]]], styles, font,
            per_table: int = 6) -> list:
    """A group x column table of rates, split so that each table fits the page width."""
    story = []
    for start in range(0, len(columns), per_table):
        chunk = columns[start:start + per_table]
        data = [[_p(title_cell, styles["small"]), *[_p(c, styles["small"]) for c in chunk]]]
        data += [[_p(label, styles["small"]), *values[start:start + per_table]] for label, values in rows]
        width = (180 * mm - 50 * mm) / per_table
        story += [_table(data, font, widths=[50 * mm] + [width] * len(chunk), size=7.5), Spacer(1, 3 * mm)]
    return story


def _streets(report: CoverageReport, settings: ReportSettings, styles, font) -> list:
    locale = settings.locale
    if not report.streets:
        return []
    groups = report.snapshot.groups
    level = level_label(report.streets[0][0].level)
    columns = [place.name(locale) for place, _figures in report.streets]
    rows = [(_("All groups (person-group pairs)"), [rate_text(sum((figures[g.id] for g in groups), Figure()).rate)
                               for _place, figures in report.streets])]
    rows += [(g.name(locale), [rate_text(figures[g.id].rate) for _place, figures in report.streets]) for g in groups]
    return [PageBreak(), _p(_("Coverage per locality (%(level)s) and key group", level=level), styles["h2"]),
            *_matrix(_("Key group"), columns, rows, styles, font)]


def _sectors(report: CoverageReport, settings: ReportSettings, styles, font) -> list:
    """Coverage per sector (the plan's responsible departments), counted as on the sectors page: rosters only."""
    locale, groups = settings.locale, report.snapshot.groups
    story = [_p(_("Coverage by sector (responsible departments)"), styles["h2"]),
             _p(_("Sectors count the rosters of their organizations; declared counts have no sector."), styles["small"])]
    if not report.sectors:
        return [*story, _p(_("Nobody on the rosters yet."), styles["base"])]
    rows = [[_("Sector"), _("Population"), _("Covered"), _("Coverage"), _p(_("Still to train (person-group pairs)"),
                                                                          styles["cell"])]]
    for sector, figures in report.sectors:
        together = sum((figures[g.id] for g in groups if g.id in figures), Figure())
        rows.append([_p(sector.name(locale), styles["cell"]), f"{together.population:,}", f"{together.covered:,}",
                     rate_text(together.rate), f"{together.missing:,}"])
    matrix = [(g.name(locale), [rate_text(figures[g.id].rate) if g.id in figures else "—"
                                for _sector, figures in report.sectors]) for g in groups]
    return [*story, _p(_("Every key group together (person-group pairs)"), styles["base"]),
            _table(rows, font, widths=[70 * mm, 26 * mm, 26 * mm, 24 * mm, 34 * mm]), Spacer(1, 3 * mm),
            _p(_("Coverage per sector and key group"), styles["base"]),
            *_matrix(_("Key group"), [sector.name(locale) for sector, _f in report.sectors], matrix, styles, font)]


OVERDUE_LISTED = 50  # the PDF names the longest overdue; the page and its download list every one


def _duties(report: CoverageReport, settings: ReportSettings, styles, font) -> list:
    """Fire drills and duty commitments on the report's date, per organization kind, street and sector (the duties
    page's figures), per role, and the organizations overdue with their drills."""
    figures, locale, cell = report.duties, settings.locale, styles["cell"]
    if figures is None:
        return []
    total, counts = figures.total, figures.total.drill_counts
    story = [PageBreak(), _p(_("Fire drills and duty commitments"), styles["h2"]),
             _p(_("On %(date)s, %(organizations)s organizations were registered on the portal: %(ok)s were up to date "
                  "with their fire drills, %(due_soon)s had one due within %(days)s days and %(overdue)s were overdue "
                  "(drill compliance %(drill_rate)s). Their role holders had %(required)s duty commitments to sign: "
                  "%(signed)s signed, %(to_sign)s still to sign, %(training_first)s waiting for the holder's "
                  "training (commitment coverage %(commitment_rate)s).",
                  date=figures.on.isoformat(), organizations=f"{total.organizations:,}", ok=f"{counts['ok']:,}",
                  due_soon=f"{counts['due_soon']:,}", days=DUE_SOON_DAYS, overdue=f"{counts['overdue']:,}",
                  drill_rate=rate_text(total.drill_rate), required=f"{total.commitments.required:,}",
                  signed=f"{total.commitments.signed:,}", to_sign=f"{total.to_sign:,}",
                  training_first=f"{total.commitment_counts['training_first']:,}",
                  commitment_rate=rate_text(total.commitments.rate)), styles["base"]),
             _p(duties_definition(), styles["small"])]
    for heading, title_cell, lines in ((_("Per organization kind"), _("Kind"), figures.kinds),
                                       (_("Per street or township"), _("Street / township"), figures.streets),
                                       (_("Per sector (responsible departments)"), _("Sector"), figures.sectors)):
        story += [_p(heading, styles["base"]), *_duty_tables(title_cell, lines, locale, styles, font)]
    roles = [[_p(text, styles["small"]) for text in (_("Role"), *_commitment_headers())]]
    roles += [[_p(role_label(r.role), cell), f"{r.required:,}", f"{r.signed:,}", f"{r.to_sign:,}",
               f"{r.counts['training_first']:,}", rate_text(r.rate)] for r in figures.roles]
    story += [_p(_("Duty commitments per role"), styles["base"]),
              _table(roles, font, widths=[60 * mm] + [24 * mm] * 5, size=7.5),
              Spacer(1, 3 * mm), *_overdue_drills(figures, settings, styles, font)]
    return story


def duties_definition() -> str:
    return _("Drill compliance = organizations not overdue with their fire drill, divided by the organizations. A "
             "drill is due one interval after the last drill held (every six months for key fire-safety units and "
             "public gathering places, every year for other units: Ministry of Public Security Order No. 61, "
             "Article 40), or after registering on the portal when none is recorded. Commitment coverage = duty "
             "commitments signed and in force, divided by the commitments the role holders must sign (a role held "
             "at a job is one commitment; someone whose training is not complete cannot sign yet).")


def _commitment_headers() -> list[str]:
    return [_("Commitments required"), _("Signed"), _("To sign"), _("Training first"), _("Commitment coverage")]


def _duty_tables(title_cell: str, lines, locale: str, styles, font) -> list:
    """Two tables of the same groups: their fire drills, then their duty commitments."""
    cell, small, widths = styles["cell"], styles["small"], [60 * mm] + [24 * mm] * 5
    drill_rows = [[_p(text, small) for text in (title_cell, _("Organizations"), _("Up to date"), _("Due soon"),
                                                _("Overdue"), _("Drill compliance"))]]
    commitment_rows = [[_p(text, small) for text in (title_cell, *_commitment_headers())]]
    for line in lines:
        counts, coverage, name = line.drill_counts, line.commitments, _p(duty_group_label(line.key, locale), cell)
        drill_rows.append([name, f"{line.organizations:,}", f"{counts['ok']:,}", f"{counts['due_soon']:,}",
                           f"{counts['overdue']:,}", rate_text(line.drill_rate)])
        commitment_rows.append([_p(duty_group_label(line.key, locale), cell), f"{coverage.required:,}",
                                f"{coverage.signed:,}", f"{line.to_sign:,}",
                                f"{line.commitment_counts['training_first']:,}", rate_text(coverage.rate)])
    return [_table(drill_rows, font, widths=widths, size=7.5), Spacer(1, 2 * mm),
            _table(commitment_rows, font, widths=widths, size=7.5), Spacer(1, 3 * mm)]


def _overdue_drills(figures, settings: ReportSettings, styles, font) -> list:
    cell, overdue = styles["cell"], figures.overdue
    story = [_p(_("Organizations overdue with their fire drills"), styles["base"])]
    if not overdue:
        return [*story, _p(_("None."), styles["base"])]
    rows = [[_p(text, styles["small"]) for text in (_("Organization"), _("Kind"), _("Street / township"),
                                                    _("Last drill"), _("Drill was due"), _("Days overdue"))]]
    rows += [[_p(o.name, cell), _p(kind_label(o.kind), cell), _p(o.street.name(settings.locale) if o.street else "",
                                                               cell),
              o.status.last_held.isoformat() if o.status.last_held else _p(_("No drill recorded"), cell),
              o.status.next_due.isoformat(), f"{o.status.days_overdue:,}"] for o in overdue[:OVERDUE_LISTED]]
    story.append(_table(rows, font, widths=[48 * mm, 32 * mm, 30 * mm, 28 * mm, 22 * mm, 20 * mm], size=7.5))
    if len(overdue) > OVERDUE_LISTED:
        story.append(_p(_("The %(shown)s longest overdue of %(total)s; the coverage page “Drills and commitments” "
                          "lists them all.", shown=OVERDUE_LISTED, total=f"{len(overdue):,}"), styles["small"]))
    return story


def _trend(report: CoverageReport, settings: ReportSettings, styles, font) -> list:
    locale = settings.locale
    groups = report.snapshot.groups
    days = sorted({day for series in report.trend.values() for day, _f in series})
    if not days:
        return []
    lookup = {g.id: dict(report.trend[g.id]) for g in groups}
    rows = [(g.name(locale), [rate_text(lookup[g.id][day].rate) for day in days]) for g in groups]
    chart = line_drawing([(g.name(locale), [(d, f.rate) for d, f in report.trend[g.id]]) for g in groups], font)
    if report.period.whole_plan:
        heading, caption = (_("Trend: coverage at each quarter end"),
                            _("Chart: coverage per key group over the plan period"))
    else:
        heading, caption = _("Trend: coverage at each month end"), _("Chart: coverage per key group over the year")
    return [_p(heading, styles["h2"]), KeepTogether([_p(caption, styles["small"]), chart]),
            _p(_("Each date counts the people employed that day."), styles["small"]),
            Spacer(1, 3 * mm), *_matrix(_("Key group"), [d.isoformat() for d in days], rows, styles, font)]


def _gaps(report: CoverageReport, settings: ReportSettings, styles, font) -> list:
    locale = settings.locale
    still = _("Still to train (person-group pairs)")
    rows = [[_("Organization"), _("Contact"), _("Contact phone"), _("Coverage"), _p(still, styles["cell"])]]
    for gap in report.organization_gaps:
        rows.append([_p(gap.name, styles["cell"]), _p(gap.contact_name, styles["cell"]), gap.contact_phone,
                     rate_text(gap.figure.rate), f"{gap.figure.missing:,}"])
    places = [[_("Locality"), _("Coverage"), _p(still, styles["cell"])]]
    for gap in report.locality_gaps:
        places.append([_p(" › ".join(p.name(locale) for p in gap.path), styles["cell"]), rate_text(gap.figure.rate),
                       f"{gap.figure.missing:,}"])
    story = [PageBreak(), _p(_("Gaps: furthest behind"), styles["h2"]),
             _p(_("Organizations with the most people still to train"), styles["base"])]
    story.append(_table(rows, font, widths=[62 * mm, 30 * mm, 32 * mm, 22 * mm, 28 * mm]) if len(rows) > 1
                 else _p(_("None."), styles["base"]))
    story += [Spacer(1, 4 * mm), _p(_("Localities with the most people still to train"), styles["base"])]
    story.append(_table(places, font, widths=[120 * mm, 25 * mm, 30 * mm]) if len(places) > 1
                 else _p(_("None."), styles["base"]))
    return story


def _plan(report: CoverageReport, settings: ReportSettings, styles, font) -> list:
    rows = [[_("Year"), _("Completions"), _("of which offline"), _("People trained"), _("Certificates issued"),
             _("Classroom sessions"), _("Coverage at year end")]]

    def row(label, activity: YearActivity):
        return [label, f"{activity.completions:,}", f"{activity.offline_completions:,}",
                f"{activity.people_trained:,}", f"{activity.certificates:,}", f"{activity.sessions:,}",
                rate_text(activity.coverage.rate) if activity.coverage else "—"]

    rows += [row(str(a.year), a) for a in report.years]
    if report.cumulative:
        rows.append(row(_("%(first)s–%(last)s cumulative", first=report.plan_years[0], last=report.plan_years[-1]),
                        report.cumulative))
    heading = _("The plan's years") if report.period.whole_plan else _("The year and the plan's years")
    return [_p(heading, styles["h2"]),
            _p(_("Coverage at a year's end counts every key group together (person-group pairs); the cumulative "
                 "row counts each person trained once."), styles["small"]),
            _table(rows, font, widths=[32 * mm, 22 * mm, 22 * mm, 24 * mm, 26 * mm, 24 * mm, 30 * mm])]


def _offline_annex(report: CoverageReport, settings: ReportSettings, styles, font) -> list:
    """Every offline completion traced to its classroom session; those no session stands behind, with their source."""
    locale, trace, cell = settings.locale, report.offline, styles["cell"]
    story = [PageBreak(), _p(_("Annex: offline completions and their classroom sessions"), styles["h2"]),
             _p(_("%(offline)s offline completions in %(period)s: %(traced)s made at the %(sessions)s classroom "
                  "sessions below, %(untraced)s without a session record. Prior training recorded by hand: "
                  "%(prior)s.", offline=f"{trace.offline_completions:,}", period=report.period.label,
                  traced=f"{sum(s.completions for s in trace.sessions):,}", sessions=f"{len(trace.sessions):,}",
                  untraced=f"{trace.offline_completions - sum(s.completions for s in trace.sessions):,}",
                  prior=f"{trace.prior_completions:,}"), styles["base"]), Spacer(1, 2 * mm)]
    office = _("The office")
    rows = [[_("Date"), _("Course"), _("Organized by"), _("Trainer"), _("Place"), _("Attendees"),
             _("Class hours each")]]
    rows += [[s.held_on.isoformat(), _p(s.course.title(locale), cell), _p(s.organizer or office, cell),
              _p(s.trainer, cell), _p(s.place, cell), f"{s.completions:,}", _hours(s.hours)] for s in trace.sessions]
    story.append(_table(rows, font, widths=[20 * mm, 44 * mm, 34 * mm, 22 * mm, 32 * mm, 15 * mm, 13 * mm])
                 if trace.sessions else _p(_("No classroom session in this period."), styles["base"]))
    if trace.untraced:
        rows = [[_("Date"), _("Course"), _("Source"), _("Recorded by"), _("Training provider"), _("Evidence"),
                 _("Class hours")]]
        rows += [[u.completed_on.isoformat(), _p(u.course.title(locale), cell), _p(untraced_source(u.kind), cell),
                  _p(u.organization or ("" if u.kind == NO_SESSION else office), cell), _p(u.provider, cell),
                  _p(u.evidence, cell), _hours(u.hours)] for u in trace.untraced]
        story += [Spacer(1, 4 * mm), _p(_("Completions no classroom session stands behind"), styles["base"]),
                  _table(rows, font, widths=[20 * mm, 36 * mm, 28 * mm, 26 * mm, 30 * mm, 28 * mm, 12 * mm])]
    return story


def _hours(hours: float | None) -> str:
    return "" if hours is None else f"{hours:g}"
