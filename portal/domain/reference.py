"""Reference data every installation starts with: the key groups and the industry sectors."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import KeyGroup, Sector

KEY_GROUPS = (
    ("all_staff", "全体员工", "All staff"),
    ("responsible_person", "单位消防安全责任人", "Fire-safety responsible persons"),
    ("safety_manager", "消防安全管理人", "Fire-safety managers"),
    ("community_police", "社区民警", "Community police"),
    ("committee_staff", "村(居)委会工作人员", "Village and residents' committee staff"),
    ("grid_worker", "网格员", "Grid workers"),
    ("security_staff", "安保人员/微型消防站队员", "Security staff and micro fire station members"),
    ("property_staff", "物业等管理单位人员", "Property management staff"),
    ("key_unit_staff", "重点单位员工", "Employees of key units"),
    ("small_business_owner", "小企业主/个体经营者", "Small business owners"),
)

SECTORS = (
    ("education", "教育局", "Education Bureau"),
    ("civil_affairs", "民政局", "Civil Affairs Bureau"),
    ("health", "卫生健康委", "Health Commission"),
    ("commerce", "商务局", "Commerce Bureau"),
    ("culture_tourism", "文化和旅游局", "Culture and Tourism Bureau"),
    ("religious_affairs", "民族宗教事务局", "Ethnic and Religious Affairs Bureau"),
    ("agriculture", "农业农村局", "Agriculture and Rural Affairs Bureau"),
    ("housing", "住房和城乡建设局", "Housing and Urban-Rural Development Bureau"),
    ("industry", "经济和信息化局", "Economy and Information Technology Bureau"),
    ("public_security", "公安分局", "Public Security Sub-bureau"),
)


def ensure_reference_data(session: Session) -> dict[str, int]:
    """Create missing key groups and sectors (never overwrites the office's edits); returns counts added."""
    added = {"key_groups": 0, "sectors": 0}
    known = set(session.scalars(select(KeyGroup.code)))
    for order, (code, zh, en) in enumerate(KEY_GROUPS):
        if code not in known:
            session.add(KeyGroup(code=code, name_zh=zh, name_en=en, sort_order=order))
            added["key_groups"] += 1
    known = set(session.scalars(select(Sector.code)))
    for code, zh, en in SECTORS:
        if code not in known:
            session.add(Sector(code=code, name_zh=zh, name_en=en))
            added["sectors"] += 1
    session.flush()
    return added
