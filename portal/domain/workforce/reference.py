"""Reference data every installation starts with: the key groups, the industry sectors, the post catalogue and the
duty commitments' texts."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import KEY_GROUPS, CommitmentText, KeyGroup, Post, Sector

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

_ORDER_61_ART_38 = "《机关、团体、企业、事业单位消防安全管理规定》（公安部令第61号）第三十八条"
# The posts the catalogue starts with: name, other names companies use, courses required before the post, basis.
POSTS = (
    ("消防控制室值班员", ("消控室值班员", "消防中控室值班员", "中控室值班员", "消防控制室操作员", "消防设施操作员"),
     ("security-micro-station",), _ORDER_61_ART_38 + "：消防控制室的值班、操作人员应当接受消防安全专门培训。"),
    ("保安员", ("保安", "安保员", "安保人员", "保安队员", "门卫", "巡逻员"),
     ("security-micro-station",), "区消防安全专项整治三年行动实施方案：安保人员、微型消防站队员分级分类培训。"),
    ("微型消防站队员", ("微型消防站站员", "义务消防队员", "志愿消防队员"),
     ("security-micro-station",), _ORDER_61_ART_38 + "：专职、义务消防队员应当接受消防安全专门培训。"),
    ("微型消防站站长", ("微型站站长", "微站站长"),
     ("security-micro-station",), _ORDER_61_ART_38 + "：专职、义务消防队员应当接受消防安全专门培训。"),
    ("营业员", ("售货员", "导购", "导购员", "店员"), (), ""),
    ("收银员", ("收款员", "收银"), (), ""),
    ("店长", ("门店经理", "店经理"), (), ""),
    ("服务员", ("服务生", "餐厅服务员", "客房服务员"), (), ""),
    ("厨师", ("厨工", "厨房员工", "帮厨", "厨师长"), (), ""),
    ("保洁员", ("保洁", "清洁工", "清洁员"), (), ""),
    ("仓管员", ("仓库管理员", "库管员", "库管", "仓管"), (), ""),
    ("电工", ("维修电工", "值班电工"), (), ""),
    ("焊工", ("电焊工", "气焊工", "电气焊工"), (), ""),
    ("司机", ("驾驶员",), (), ""),
    ("前台", ("前台接待", "接待员"), (), ""),
    ("文员", ("办事员", "行政文员"), (), ""),
    ("教师", ("老师",), (), ""),
    ("护士", ("护理员",), (), ""),
    ("医生", ("医师",), (), ""),
    ("物业管理员", ("物业管理人员", "物业员工", "物业客服"), (), ""),
    ("网格员", ("专职网格员", "兼职网格员"), (), ""),
    ("社区工作人员", ("社区工作者", "居委会工作人员", "村委会工作人员"), (), ""),
    ("社区民警", ("片警", "警务室民警"), (), ""),
    ("个体经营者", ("个体户", "店主", "小企业主"), (), ""),
    ("管理人员", ("经理", "主管", "负责人"), (), ""),
)


def ensure_reference_data(session: Session) -> dict[str, int]:
    """Create missing key groups and sectors (never overwrites the office's edits); returns counts added."""
    added = {"key_groups": 0, "sectors": 0, "posts": 0, "commitment_texts": 0}
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
    added["posts"] = ensure_posts(session)
    added["commitment_texts"] = ensure_commitment_texts(session)
    session.flush()
    return added


def ensure_posts(session: Session) -> int:
    """Add the catalogue's starting posts the office has not got under any name (a post it merged or renamed
    stays as the office left it)."""
    from portal.domain.workforce.posts import catalogue

    known = catalogue(session)
    added = 0
    for name, synonyms, courses, basis in POSTS:
        if any(known.resolve(other) for other in (name, *synonyms)):
            continue
        session.add(Post(name=name, synonyms=list(synonyms), courses=list(courses), basis=basis))
        added += 1
    return added


def ensure_commitment_texts(session: Session) -> int:
    """Add the starting text of each duty commitment whose role has no text yet (the office's versions stay)."""
    from portal.domain.workforce.commitment_texts import DEFAULT_TEXTS

    known = set(session.scalars(select(CommitmentText.role).distinct()))
    added = 0
    for role, (title_zh, title_en, body_zh, body_en, basis) in DEFAULT_TEXTS.items():
        if role not in known:
            session.add(CommitmentText(role=role, version=1, title_zh=title_zh, title_en=title_en, body_zh=body_zh,
                                       body_en=body_en, basis=basis, active=True))
            added += 1
    return added
