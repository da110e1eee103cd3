"""The demo's drills (idempotent): the mall held an evacuation drill two months ago (people from its roster took
part, one follow-up action is still open) and plans the next; a hotel is overdue for its half-yearly drill; a
hospital and a school are up to date or due soon."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.workforce import drills
from portal.models import Drill, Organization, Trainee

PARTICIPANTS = 8

# invite code -> (kind, days ago, scenario, places, minutes, findings)
HELD = {
    "DEMO0001": ("evacuation", 60, "一楼美食广场厨房起火，烟气进入中庭", "一楼美食广场、中庭、3号安全出口", 35,
                 "员工按分区引导顾客疏散，8分钟内全部撤离；3号安全出口外堆放纸箱，影响疏散。"),
    "DEMO0002": ("extinguisher", 240, "客房走廊电气线路起火", "三楼客房走廊", 40, "员工会使用灭火器，个别人拔销动作不熟练。"),
    "DEMO0007": ("micro_station", 90, "住院部配电间冒烟，微型消防站出动", "住院部一楼配电间", 25, "微型消防站3分钟到场。"),
    "DEMO0008": ("tabletop", 170, "夜间宿舍楼火灾的桌面推演", "学校会议室", 60, "值班人员联络流程需要简化。"),
}


def _at(day: date) -> datetime:
    return datetime.combine(day, time(10), tzinfo=timezone.utc)


def seed_demo_drills(session: Session, *, today: date) -> int:
    """Add the demo drills to organizations that have none; returns how many drills were added."""
    added = 0
    for code, (kind, days_ago, scenario, places, minutes, findings) in HELD.items():
        org = session.scalar(select(Organization).where(Organization.invite_code == code))
        if org is None or session.scalar(select(Drill.id).where(Drill.organization_id == org.id).limit(1)):
            continue
        day = today - timedelta(days=days_ago)
        drill = drills.record_drill(session, org, drills.DrillData(kind, day, scenario, places, minutes, findings),
                                    actor_id=None, now=_at(day), today=today)
        drill.created_at = _at(day)
        added += 1
        staff = list(session.scalars(select(Trainee.id).where(Trainee.organization_id == org.id,
                                                              Trainee.status == "active")
                                     .order_by(Trainee.id).limit(PARTICIPANTS)))
        drills.add_participants(session, drill, staff, method="roster", now=_at(day), today=today)
        if code == "DEMO0001":
            added += _mall_follow_up(session, org, drill, today=today)
    return added


def _mall_follow_up(session: Session, org: Organization, drill: Drill, *, today: date) -> int:
    """The mall's open and finished actions, and its next drill planned."""
    done = drills.add_action(session, drill, description="3号安全出口外的纸箱清走，划定禁止堆放区", owner_name="物业部 李主管",
                             owner_trainee_id=None, due_on=drill.day + timedelta(days=7), today=today, actor_id=None)
    drills.mark_action_done(session, done, done_on=drill.day + timedelta(days=5), today=today, actor_id=None)
    drills.add_action(session, drill, description="中庭应急广播音量不足，联系维保单位检修", owner_name="工程部 王工",
                      owner_trainee_id=None, due_on=today + timedelta(days=14), today=today, actor_id=None)
    drills.plan_drill(session, org, drills.DrillData("micro_station", today + timedelta(days=100),
                                                     "夜间闭店后仓库起火，微型消防站出动", "地下一层仓库"),
                      actor_id=None, today=today)
    return 1
