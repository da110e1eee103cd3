"""The duty commitments (履职承诺) every installation starts with, one per role of the rules' `commitments`
section. The office edits them in the portal (each edit a new version); these are added only for a role that has
no text at all, so an edit is never overwritten."""
from __future__ import annotations

_LAW = "《中华人民共和国消防法》"
_ORDER_61 = "《机关、团体、企业、事业单位消防安全管理规定》（公安部令第61号）"
_HIGH_RISE = "《高层民用建筑消防安全管理规定》（应急管理部令第5号）"
_RESPONSIBILITY = "国务院办公厅《消防安全责任制实施办法》（国办发〔2017〕87号）"
_PLAN = "区消防安全专项整治三年行动实施方案"

# role -> (title_zh, title_en, body_zh, body_en, basis)
DEFAULT_TEXTS: dict[str, tuple[str, str, str, str, str]] = {
    "responsible_person": (
        "单位消防安全责任人履职承诺书",
        "Duty commitment of a unit's fire-safety responsible person",
        "本人是本单位的消防安全责任人，对本单位的消防安全工作全面负责。本人承诺：\n"
        "一、贯彻执行消防法律法规，掌握本单位的消防安全情况，保障本单位消防安全符合规定；\n"
        "二、把消防工作与本单位的生产经营和管理统筹安排，批准并实施年度消防工作计划；\n"
        "三、为本单位的消防安全提供必要的经费和组织保障；\n"
        "四、确定逐级和岗位消防安全责任，批准实施消防安全制度和操作规程；\n"
        "五、组织防火检查，督促火灾隐患整改，及时处理涉及消防安全的重大问题；\n"
        "六、组织制定符合本单位实际的灭火和应急疏散预案，并组织演练；\n"
        "七、保证员工入职必训、定期培训、转岗轮训，本人按期参加消防安全专门培训。\n"
        "本人未履行上述职责的，依法承担相应责任。",
        "I am my unit's fire-safety responsible person and answer for all of its fire-safety work. I commit to:\n"
        "1. apply the fire-safety laws and rules, know my unit's fire-safety situation and keep it compliant;\n"
        "2. plan fire-safety work together with our business and management, and approve and carry out the yearly "
        "fire-safety work plan;\n"
        "3. provide the money and the organization fire safety needs;\n"
        "4. set fire-safety responsibilities level by level and post by post, and approve the fire-safety rules and "
        "operating procedures;\n"
        "5. have fire inspections carried out, see that hazards are fixed and deal at once with serious fire-safety "
        "problems;\n"
        "6. have a fire-fighting and evacuation plan made that fits my unit, and have it drilled;\n"
        "7. make sure every employee is trained before starting work, regularly and on changing posts, and take my "
        "own special fire-safety training on time.\n"
        "If I fail in these duties I answer for it according to law.",
        f"{_LAW}第十六条；{_ORDER_61}第四条、第六条；{_HIGH_RISE}第四条；{_RESPONSIBILITY}；"
        f"{_PLAN}“三自主两公开一承诺”、大型商业综合体岗前与日常培训相结合履职承诺制度。",
    ),
    "safety_manager": (
        "消防安全管理人履职承诺书",
        "Duty commitment of a fire-safety manager",
        "本人是本单位的消防安全管理人，对消防安全责任人负责，组织落实本单位的消防安全管理工作。本人承诺：\n"
        "一、拟订年度消防工作计划，组织实施日常消防安全管理；\n"
        "二、组织制订消防安全制度和操作规程，并检查督促落实；\n"
        "三、拟订消防安全经费投入和组织保障方案；\n"
        "四、组织防火检查和防火巡查，落实火灾隐患整改；\n"
        "五、管理消防设施、器材和消防安全标志，保证完好有效，保证疏散通道、安全出口和消防车通道畅通；\n"
        "六、组织管理专职或志愿消防队、微型消防站；\n"
        "七、组织员工消防安全宣传教育和培训，组织灭火和应急疏散预案的实施和演练；\n"
        "八、定期向消防安全责任人报告消防安全情况，及时报告涉及消防安全的重大问题。\n"
        "本人未履行上述职责的，依法承担相应责任。",
        "I am my unit's fire-safety manager: I answer to the responsible person and carry out the unit's fire-safety "
        "management. I commit to:\n"
        "1. draft the yearly fire-safety work plan and run the daily fire-safety management;\n"
        "2. draft the fire-safety rules and operating procedures and check that they are followed;\n"
        "3. draft the budget and the organization fire safety needs;\n"
        "4. have fire inspections and patrols carried out and hazards fixed;\n"
        "5. look after the fire equipment and signs so that they work, and keep escape routes, exits and fire lanes "
        "clear;\n"
        "6. organize and manage the fire brigade or micro fire station;\n"
        "7. have the staff taught and trained in fire safety, and the fire-fighting and evacuation plan carried out "
        "and drilled;\n"
        "8. report the fire-safety situation to the responsible person regularly, and serious problems at once.\n"
        "If I fail in these duties I answer for it according to law.",
        f"{_ORDER_61}第七条；{_HIGH_RISE}；{_RESPONSIBILITY}；"
        f"{_PLAN}“三自主两公开一承诺”、大型商业综合体岗前与日常培训相结合履职承诺制度。",
    ),
    "micro_station_chief": (
        "微型消防站站长履职承诺书",
        "Duty commitment of a micro fire station chief",
        "本人是本单位微型消防站站长，在消防安全管理人领导下负责微型消防站的日常管理。本人承诺：\n"
        "一、安排微型消防站值守，保证有人在岗、通信畅通；\n"
        "二、组织队员日常训练和灭火、疏散演练，做到“1分钟响应、3分钟到场”；\n"
        "三、组织防火巡查，发现火灾隐患及时报告并督促整改；\n"
        "四、管理站内消防装备和器材，保证完好有效；\n"
        "五、发生火情时组织队员扑救初起火灾、引导人员疏散，并及时报警；\n"
        "六、按期参加消防安全专门培训，带领队员参加培训。\n"
        "本人未履行上述职责的，依法承担相应责任。",
        "I am the chief of my unit's micro fire station and, under the fire-safety manager, run the station day to "
        "day. I commit to:\n"
        "1. keep the station staffed and reachable at all times;\n"
        "2. train the members and drill fire-fighting and evacuation, so that we respond within 1 minute and arrive "
        "within 3;\n"
        "3. organize fire patrols, report hazards at once and see that they are fixed;\n"
        "4. keep the station's equipment in working order;\n"
        "5. in a fire, lead the members in fighting it while it is small, guide people out and call 119;\n"
        "6. take my special fire-safety training on time and bring the members to theirs.\n"
        "If I fail in these duties I answer for it according to law.",
        f"{_LAW}第十六条；{_ORDER_61}第三十八条；{_PLAN}：大型商业综合体岗前与日常培训相结合履职承诺制度。",
    ),
    "complex_shop_owner": (
        "商业综合体经营户消防安全承诺书",
        "Fire-safety commitment of a shop owner in a commercial complex",
        "本人在商业综合体内经营，是本店铺的消防安全责任人。本人承诺：\n"
        "一、遵守综合体的统一消防安全管理，配合防火检查，及时整改火灾隐患；\n"
        "二、不占用、堵塞、封闭疏散通道和安全出口，不遮挡消防设施和消防安全标志；\n"
        "三、安全用电用火，不私拉乱接电线，不在店内存放易燃易爆物品，不在店内停放电动自行车或为其充电；\n"
        "四、店内不住人，营业结束后检查电源和火源；\n"
        "五、组织本店员工参加消防安全培训和综合体组织的疏散演练；\n"
        "六、发生火情立即报警，扑救初起火灾，引导顾客疏散。\n"
        "本人未履行上述承诺的，依法承担相应责任。",
        "I run a shop in a commercial complex and am my shop's fire-safety responsible person. I commit to:\n"
        "1. follow the complex's common fire-safety management, let fire inspections in and fix hazards promptly;\n"
        "2. never block or lock escape routes and exits, nor hide fire equipment and signs;\n"
        "3. use electricity and fire safely: no improvised wiring, no flammable or explosive goods stored in the "
        "shop, no e-bikes parked or charged inside;\n"
        "4. let nobody live in the shop, and check power and flames when closing;\n"
        "5. send my staff to fire-safety training and to the complex's evacuation drills;\n"
        "6. in a fire, call 119 at once, fight it while it is small and guide customers out.\n"
        "If I break these commitments I answer for it according to law.",
        f"{_LAW}第十六条、第十八条（同一建筑物由两个以上单位管理或者使用的，应当明确各方的消防安全责任）；"
        f"{_PLAN}：大型商业综合体岗前与日常培训相结合履职承诺制度。",
    ),
}
