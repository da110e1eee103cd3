"""Drill routes in the role x route matrix: a company keeps its own drills (the office any), a department sees the
photos of its sector's organizations, people on the roster sign in by QR."""
from __future__ import annotations

import io

from flask import current_app
from PIL import Image

from portal.domain.workforce import drill_photos, drills
from portal.domain.platform.localtime import local_today
from portal.models import utcnow


def _held(session, org):
    today = local_today()
    return drills.record_drill(session, org, drills.DrillData("evacuation", today, "Smoke in the hall", "1F"),
                               actor_id=None, now=utcnow(), today=today)


def prepare(session, world) -> None:
    own, other = _held(session, world["own_org"]), _held(session, world["other_org"])
    photos = []
    for drill in (own, other):
        image = io.BytesIO()
        Image.new("RGB", (40, 30), "orange").save(image, "PNG")
        image.seek(0)
        photos.append(drill_photos.add_photo(session, drill, image, alt_text="Exit 2",
                                             storage_path=current_app.config["STORAGE_PATH"], actor_id=None))
    action = drills.add_action(session, own, description="Clear exit 3", owner_name="王", owner_trainee_id=None,
                               due_on=local_today(), today=local_today(), actor_id=None)
    world.update(own_drill=own.id, other_drill=other.id, own_drill_code=own.sign_in_code, own_photo=photos[0].id,
                 other_photo=photos[1].id, own_action=action.id)


def ROUTES(expect, roles):
    login, no = 302, 403
    own = expect(no, anonymous=login, org_admin=200, office_admin=200, superuser=200)
    other = expect(no, anonymous=login, org_admin=404, office_admin=200, superuser=200)
    missing = expect(no, anonymous=login, org_admin=404, office_admin=404, superuser=404)
    seen = expect(no, anonymous=login, org_admin=200, dept_viewer=200, office_admin=200, superuser=200)
    foreign = expect(no, anonymous=login, org_admin=404, dept_viewer=404, office_admin=200, superuser=200)
    return {
        "company.drill_list": [("/company/{own}/drills", own), ("/company/{own}/drills?year=2026&kind=evacuation",
                                                                 own),
                               ("/company/{own}/drills?format=csv", own), ("/company/{other}/drills", other)],
        "company.new_drill": [("/company/{own}/drills/new", own), ("/company/{other}/drills/new?held=1", other)],
        "company.record_drill": [("/company/{own}/drills/{own_drill}/record", own),
                                 ("/company/{own}/drills/{other_drill}/record", missing)],
        "company.drill_detail": [("/company/{own}/drills/{own_drill}", own),
                                 ("/company/{other}/drills/{other_drill}", other),
                                 ("/company/{own}/drills/{other_drill}", missing)],
        "company.add_drill_action": [("/company/{own}/drills/{own_drill}/actions", expect(405))],
        "company.drill_action_done": [("/company/{own}/drills/{own_drill}/actions/{own_action}/done", expect(405))],
        "company.add_drill_photo": [("/company/{own}/drills/{own_drill}/photos", expect(405))],
        "company.drill_photo": [("/company/{own}/drills/{own_drill}/photos/{own_photo}.jpg", seen),
                                ("/company/{own}/drills/{own_drill}/photos/{own_photo}.jpg?size=thumb", seen),
                                ("/company/{other}/drills/{other_drill}/photos/{other_photo}.jpg", foreign),
                                ("/company/{own}/drills/{own_drill}/photos/{other_photo}.jpg",
                                 expect(no, anonymous=login, org_admin=404, dept_viewer=404, office_admin=404,
                                        superuser=404))],
        "company.drill_sign_in": [("/company/drills/{own_drill_code}/sign-in", expect(no, anonymous=login, trainee=200)),
                                  ("/company/drills/no-such-code/sign-in", expect(no, anonymous=login, trainee=404))],
    }
