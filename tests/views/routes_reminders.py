"""Route table of the reminders sent by hand (roster and invitation page), for tests/views/test_access.py."""
from __future__ import annotations


def ROUTES(expect, roles):
    manage_own = expect(403, anonymous=302, org_admin=200, office_admin=200, superuser=200)
    manage_other = expect(403, anonymous=302, org_admin=404, office_admin=200, superuser=200)
    missing = expect(403, anonymous=302, org_admin=404, office_admin=404, superuser=404)
    return {
        "company.remind": [("/company/{own}/remind?status=overdue", manage_own),
                           ("/company/{other}/remind", manage_other)],
        "company.remind_status": [("/company/{own}/reminders/no-such-job", missing)],
        "company.remind_sheet": [("/company/{own}/reminders/no-such-job/sheet", missing)],
        "company.remind_unregistered": [("/company/{own}/invite/remind", expect(405))],
    }


def prepare(session, world) -> None:
    """Nothing to add: the pages work on the world's organizations."""
