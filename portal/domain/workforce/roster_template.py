"""The roster template a company downloads: the column names in its language and, in XLSX, a sheet that
explains every column, drop-down lists of the post catalogue and the key groups, and an example.

The example lives on the instructions sheet, never on the roster sheet (the only sheet an import reads); the
import also refuses a row that is the example person (roster_import.EXAMPLE_PERSON), as older templates had one.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from flask_babel import force_locale
from flask_babel import gettext as _

from portal.domain.workforce.reference import KEY_GROUPS
from portal.domain.workforce.roster_import import (
    EXAMPLE_DEPARTMENT, EXAMPLE_GROUPS, EXAMPLE_ROWS, EXAMPLE_START, FIELDS, TEMPLATE_HEADERS, text_columns
)
from portal.domain.workforce.roster_prior import PRIOR_ALIASES
from portal.domain.platform.tabular import Choices, Sheet, write_table, write_workbook

GROUP_SEPARATOR = {"zh_CN": "、", "en": "; "}


def template_locale(locale: str) -> str:
    """The template's language: zh_CN or en (any other Chinese is zh_CN, anything else English)."""
    return locale if locale in TEMPLATE_HEADERS else ("zh_CN" if str(locale).startswith("zh") else "en")


def template(locale: str, fmt: str, *, groups: Mapping[str, tuple[str, str, str]] | None = None,
             posts: Sequence[str] = ()) -> bytes:
    """A roster template ("csv" or "xlsx") in the locale's language. `groups` (code -> (code, name_zh, name_en),
    in the order to offer them; the reference groups when None) and `posts` (the catalogue's names) fill the
    XLSX drop-down lists. The CSV is the header and the example row, which the import refuses if left in."""
    locale = template_locale(locale)
    groups = groups if groups is not None else {code: (code, zh, en) for code, zh, en in KEY_GROUPS}
    headers = TEMPLATE_HEADERS[locale]
    example = _example(locale, groups)
    if fmt == "csv":
        return write_table("csv", headers, [example])
    with force_locale(locale):
        labels = [names[1] if locale == "zh_CN" else names[2] for names in groups.values()]
        roster = Sheet(title=_("Roster"), headers=headers, text_columns=text_columns(headers), choices=[
            Choices(FIELDS.index("post"), list(posts), _("Post"),
                    _("Choose a post from the list, or type the name your unit uses: the preview asks about a post "
                      "the catalogue does not know.")),
            Choices(FIELDS.index("groups"), labels, _("Key groups"),
                    _("Choose a key group from the list; for several, type them separated by %(separator)s. "
                      "Leave blank for all staff.", separator=GROUP_SEPARATOR[locale].strip())),
        ])
        rows, headings = _instructions(headers, example)
        notes = Sheet(title=_("Instructions"), rows=rows, notes=True, headings=headings)
        return write_workbook([roster, notes], lists_title=_("Lists"))


def _example(locale: str, groups: Mapping[str, tuple[str, str, str]]) -> list:
    names = [groups[code][1] if locale == "zh_CN" else groups[code][2] for code in EXAMPLE_GROUPS if code in groups]
    return [*EXAMPLE_ROWS[locale], GROUP_SEPARATOR[locale].join(names), EXAMPLE_START, EXAMPLE_DEPARTMENT[locale]]


def _instructions(headers: Sequence[str], example: Sequence) -> tuple[list[list], set[int]]:
    """The instructions sheet's rows (paragraphs of one cell and the table of columns) and its headings;
    called in the template's locale."""
    required, optional = _("Required"), _("Optional")
    explain = {
        "real_name": (required, _("The person's name as on their ID card, 1 to 50 characters.")),
        "mobile": (required, _("11 digits, starting with 13 to 19; spaces, dashes, full-width digits and +86 are "
                               "accepted. The mobile number finds the person on your roster.")),
        "id_number": (optional, _("18 characters: 17 digits, then a digit or X. Old 15-digit ID numbers are not "
                                  "accepted: use the number on the person's current ID card. Keep this column "
                                  "formatted as Text, or Excel loses the last digits. Blank: a person already on "
                                  "your roster keeps the ID number recorded.")),
        "post": (required, _("Choose from the list (the district's post catalogue). Another name for a post is "
                             "read as that post; a post the catalogue does not know is listed in the preview, "
                             "where you choose a catalogue post for it or add it.")),
        "groups": (optional, _("Choose from the list; for several groups, separate them with 、 or ; (a comma "
                               "works too). Everyone also counts as all staff. Blank: a new person is all staff "
                               "only, and a person already on your roster keeps their groups.")),
        "start_date": (required, _("The first day of work, written as 2026-01-05 (2026/1/5, 2026年1月5日 and "
                                   "Excel dates are read too).")),
        "department": (optional, _("The person's department in your unit, such as 安保部 or 工程部, at most 100 "
                                   "characters; the roster and the classroom sign-in can be filtered by it. Blank: a "
                                   "new person has none, and a person already on your roster keeps theirs.")),
    }
    prior = "、".join(aliases[0] for aliases in PRIOR_ALIASES.values())
    rows: list[list] = [
        [_("How to fill in this template")],
        [_('Fill in the first sheet, "%(sheet)s": one person per row, starting on row 2, under the column names '
           "of row 1 (keep them). Only that sheet is imported: this one, and its example, never are.",
           sheet=_("Roster"))],
        [_("Each row is matched to your roster by its mobile number. A mobile number already on your roster "
           "updates that person (name, ID number, post, key groups, start date); a person who had left is hired "
           "again. People who are not in the file stay on your roster unchanged: an import never removes anyone.")],
        [_("Nothing changes until you have checked the preview and confirmed it. Rows with a problem are listed "
           "with the reason, in a file you can download, correct and upload again.")],
        [],
        [_("Column"), _("Required?"), _("What to write"), _("Example (never imported)")],
    ]
    headings = {0, len(rows) - 1}
    for index, name in enumerate(FIELDS):
        need, text = explain[name]
        rows.append([headers[index], need, text, example[index]])
    rows += [
        [],
        [_("Optional: training done before the portal")],  # a heading (below)
        [_("To record one training a person did before the portal, add these five columns: %(columns)s. Leave all "
           "five empty, or fill in all of them (course, date, provider, class hours, proof).", columns=prior)],
    ]
    headings.add(len(rows) - 2)
    return rows, headings
