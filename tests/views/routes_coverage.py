"""Coverage routes in the role x route matrix: departments see their sector only (404 otherwise),
targets are the office's, classroom sessions belong to the office and to companies, sign-in to trainees."""
from __future__ import annotations

from datetime import date

from portal.domain.learning import offline


def prepare(session, world) -> None:
    course = world["course"]
    own = offline.create_session(session, offline.SessionData(course.id, world["own"], date(2026, 5, 1), "Trainer",
                                                              "Room 1"), actor_id=None, today=date(2026, 5, 1))
    other = offline.create_session(session, offline.SessionData(course.id, world["other"], date(2026, 5, 1),
                                                                "Trainer", "Room 2"), actor_id=None,
                                   today=date(2026, 5, 1))
    world.update(own_session=own.id, other_session=other.id, own_session_code=own.sign_in_code,
                 own_sector=world["own_org"].sector_id, other_sector=world["other_org"].sector_id,
                 own_locality=world["own_org"].locality_id)


def ROUTES(expect, roles):
    login, no = 302, 403
    viewers = dict(anonymous=login, dept_viewer=200, office_admin=200, superuser=200)
    foreign = dict(viewers, dept_viewer=404)
    viewers_missing = dict(viewers, dept_viewer=404, office_admin=404, superuser=404)
    office = dict(anonymous=login, office_admin=200, superuser=200)
    office_missing = dict(anonymous=login, office_admin=404, superuser=404)
    keepers = dict(anonymous=login, org_admin=200, office_admin=200, superuser=200)
    return {
        "coverage.home": [("/office/coverage/", expect(no, **viewers)),
                          ("/office/coverage/?format=csv", expect(no, **viewers))],
        "coverage.localities": [
            ("/office/coverage/localities", expect(no, **viewers)),
            ("/office/coverage/localities?locality={own_locality}&group=all_staff", expect(no, **viewers)),
            ("/office/coverage/localities?locality=999999", expect(no, **dict(viewers, dept_viewer=404,
                                                                              office_admin=404, superuser=404))),
            ("/office/coverage/localities?group=no_such_group", expect(no, **dict(viewers, dept_viewer=404,
                                                                                  office_admin=404, superuser=404))),
        ],
        "coverage.sectors": [("/office/coverage/sectors", expect(no, **viewers))],
        "coverage.organizations": [
            ("/office/coverage/organizations", expect(no, **viewers)),
            ("/office/coverage/organizations?sector={own_sector}", expect(no, **viewers)),
            ("/office/coverage/organizations?sector={other_sector}", expect(no, **foreign)),
            ("/office/coverage/organizations?sector={other_sector}&format=csv", expect(no, **foreign)),
        ],
        "coverage.organization": [("/office/coverage/organizations/{own}", expect(no, **viewers)),
                                  ("/office/coverage/organizations/{other}", expect(no, **foreign))],
        "coverage.missing_people": [
            ("/office/coverage/missing?group=all_staff", expect(no, **viewers)),
            ("/office/coverage/missing?group=all_staff&organization={own}", expect(no, **viewers)),
            ("/office/coverage/missing?group=all_staff&organization={other}", expect(no, **foreign)),
            ("/office/coverage/missing?group=all_staff&organization={other}&format=xlsx", expect(no, **foreign)),
            ("/office/coverage/missing?group=all_staff&sector={other_sector}", expect(no, **foreign)),
        ],
        "coverage.trend": [("/office/coverage/trend", expect(no, **viewers))],
        "coverage.gap_list": [("/office/coverage/gaps", expect(no, **viewers))],
        "coverage.duties": [("/office/coverage/duties", expect(no, **viewers)),
                            ("/office/coverage/duties?format=csv", expect(no, **viewers)),
                            ("/office/coverage/duties?format=xlsx&table=overdue", expect(no, **viewers))],
        "coverage.report": [("/office/coverage/report.pdf?year=2026", expect(no, **viewers))],
        "coverage.make_final": [("/office/coverage/report/2025/final", expect(405))],
        "coverage.report_status": [("/office/coverage/report/no-such-job", expect(no, **viewers_missing))],
        "coverage.report_download": [("/office/coverage/report/no-such-job.pdf", expect(no, **viewers_missing))],
        "coverage.report_sectors": [("/office/coverage/report/sectors.csv?year=2026", expect(no, **viewers)),
                                    ("/office/coverage/report/sectors.xlsx?plan=2099", expect(no, **viewers_missing))],
        "coverage.report_offline": [("/office/coverage/report/offline.xlsx?year=2026", expect(no, **viewers)),
                                    ("/office/coverage/report/offline.csv?year=x", expect(no, **viewers_missing))],
        "coverage.targets": [("/office/coverage/targets", expect(no, **office))],
        "coverage.delete_target_view": [("/office/coverage/targets/1/delete", expect(405))],
        "coverage.target_template": [("/office/coverage/targets/template.csv", expect(no, **office))],
        "coverage.import_targets": [("/office/coverage/targets/import", expect(no, **office))],
        "coverage.import_preview": [("/office/coverage/targets/import/no-such-token", expect(no, **office_missing))],
        "coverage.import_errors": [("/office/coverage/targets/import/no-such-token/errors.csv",
                                    expect(no, **office_missing))],
        "coverage.import_confirm": [("/office/coverage/targets/import/no-such-token/confirm", expect(405))],
        "coverage.sessions": [("/office/coverage/sessions", expect(no, **keepers))],
        "coverage.new_session": [("/office/coverage/sessions/new", expect(no, **keepers))],
        "coverage.session_detail": [("/office/coverage/sessions/{own_session}", expect(no, **keepers)),
                                    ("/office/coverage/sessions/{other_session}",
                                     expect(no, **dict(keepers, org_admin=404)))],
        "coverage.sign_in": [("/office/coverage/sessions/{own_session_code}/sign-in",
                              expect(no, anonymous=login, trainee=200)),
                             ("/office/coverage/sessions/no-such-code/sign-in",
                              expect(no, anonymous=login, trainee=404))],
    }
