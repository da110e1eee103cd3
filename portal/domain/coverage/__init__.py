"""Coverage: progress of the key groups toward full coverage, targets, offline sessions and reports.

Definitions (one place for each; the dashboard states them in one sentence):

- A group's required courses are `rules.groups[code].courses` when the rules name the group;
  otherwise the onboarding courses plus `rules.onboarding_by_kind[org.kind]` for people with an
  employer (requirements.py). A person is covered in a group when they hold, for every required
  course, a completion with valid_until NULL or on/after the as-of date.
- Roster population of group g at locality L on date d: people with an employer in g whose locality is L or
  below, counted once each at the job that places them on d (employed that day: employment.py;
  population.py). A past date counts the people employed then. Declared population: the Target rows'
  declared counts at L and below; people without an employer cover the declared part up to its size
  (arithmetic.py).
  Coverage = covered / (roster + declared). Target rate and deadline come from the Target of
  (g, L) or of the nearest ancestor; by default December 31 of this year and 100% (targets.py).
- Projection: covered now against 28 days ago, at that daily pace to the target count (projection.py).
- Department viewers see their sector's rosters only: no declared counts, no people without an
  employer (snapshot.py).

Seams: requirements (course masks), population (the GROUP BY), places (the locality tree),
arithmetic (figures and roll-up), targets and target_import, projection (trend), snapshot (one
computation, scoped), cache, compliance (onboarding, periodic, overdue, certificates), missing
(who to chase), gaps, tables (exports), charts (SVG), report and report_pdf (a year's and the plan
period's reports), final (years kept final). Classroom sessions are learning's (learning/offline.py).

Domain functions take the Session, `today`, the rules and the scope (a clause on Organization, or
None for the whole district); they flush, never commit.

May import: platform, workforce. Other contexts may import the modules named in EXPORTS (and the package's
Figure, Snapshot and take_snapshot).
"""
EXPORTS = ("final", "report", "targets")
MAY_IMPORT = ("platform", "workforce")

from portal.domain.coverage.arithmetic import Figure
from portal.domain.coverage.snapshot import Snapshot, take_snapshot

__all__ = ["Figure", "Snapshot", "take_snapshot"]
