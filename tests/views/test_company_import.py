"""Roster import as an administrator does it: template, upload, preview, error file, confirm."""
from __future__ import annotations

import io
import re
from datetime import date

import openpyxl
import pytest
from sqlalchemy import func, select

from portal.domain.workforce import posts
from portal.domain.platform import tabular
from portal.domain.content.sync import sync_content
from portal.models import Assignment, AuditEvent, EmploymentEvent, KeyGroup, Person, Post, RuleSet, Trainee
from tests.conftest import FIXTURE_CONTENT
from tests.factories import make_org, make_trainee, make_user
from tests.views.test_company import RULES


@pytest.fixture
def app_config():
    return {"JOBS_SYNCHRONOUS": True}


@pytest.fixture
def org(session, login):
    sync_content(session, FIXTURE_CONTENT)
    session.add(RuleSet(text=RULES, note="test"))
    org = make_org()
    login_user = make_user("org_admin", org=org)
    session.commit()
    login(login_user)
    return org


CSV_ROWS = (
    "姓名,手机号,身份证号,岗位,重点人群,入职日期\n"
    "王伟,13900000001,,收银员,全体员工,2026-12-01\n"
    "李娜,13900000002,11010519491231002X,保安员,安保人员/微型消防站队员,2026/12/2\n"
    "坏行,12345,,收银员,,2026-12-03\n"
    "公式,13900000004,,=cmd|' /C calc'!A0,,2026-12-04\n"
)


def upload(client, org, data: bytes, name: str):
    return client.post(f"/company/{org.id}/import", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_template_downloads(client, org):
    for fmt in ("csv", "xlsx"):
        response = client.get(f"/company/{org.id}/import/template.{fmt}")
        table = tabular.read_table(response.data, f"t.{fmt}")
        assert "手机号" in table.headers


def test_xlsx_template_offers_the_catalogue_and_the_active_key_groups(client, session, org):
    session.add(Post(name="危化品库管员", synonyms=["化学品库管"], basis="", courses=[], reviewed=False,
                     added_by_organization=org))
    session.add(KeyGroup(code="old_group", name_zh="旧人群", name_en="Old group", sort_order=99, active=False))
    session.commit()
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/company/{org.id}/import/template.xlsx").data))
    assert book.sheetnames[0] == book.active.title and book.worksheets[0].max_row == 1
    offered = {}
    for validation in book.worksheets[0].data_validations.dataValidation:
        name, cells = validation.formula1.split("!")
        offered[str(validation.sqref)[0]] = [c.value for row in book[name.strip("'")][cells.replace("$", "")]
                                             for c in row]
    assert offered["D"] == posts.catalogue(session).choices()
    assert "危化品库管员" in offered["D"] and "化学品库管" not in offered["D"]  # names, not their other names
    assert "安保人员/微型消防站队员" in offered["E"] and "旧人群" not in offered["E"]
    assert len(book.sheetnames) == 3 and book.worksheets[2].sheet_state == "hidden"


def test_error_file_rows_are_numbered_as_in_the_upload(client, org):
    response = upload(client, org, CSV_ROWS.encode("utf-8"), "roster.csv")
    book = openpyxl.load_workbook(io.BytesIO(client.get(response.headers["Location"] + "/errors.xlsx").data))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][0] == "原文件行号 / Row in your file" and rows[0][-1] == "错误原因 / Reason"
    assert [(row[0], row[1]) for row in rows[1:]] == [(4, "坏行"), (5, "公式")]
    assert "第 5 行" in rows[2][-1] or "Row 5" in rows[2][-1]


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_preview_then_all_or_nothing_confirm(client, session, org, encoding):
    response = upload(client, org, CSV_ROWS.encode(encoding), "roster.csv")
    assert response.status_code == 302
    preview_url = response.headers["Location"]
    page = client.get(preview_url).get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Trainee)) == 0  # nothing written yet
    assert re.search(r'<span class="num">2</span>\s*新', page) or "2" in page
    errors = client.get(preview_url + "/errors.csv")
    text = errors.data.decode("utf-8-sig")
    assert "坏行" in text and "公式" in text and "错误原因" in text
    done = client.post(preview_url + "/confirm")
    status = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "导入完成：新增 2 人" in status or "2" in status
    assert "2 行因存在问题未导入" in status and f"{preview_url}/errors.xlsx" in status  # the skipped rows and why
    names = set(session.scalars(select(Person.real_name)))
    assert names == {"王伟", "李娜"}
    li = session.scalar(select(Trainee).join(Trainee.person).where(Person.real_name == "李娜"))
    assert {g.code for g in li.groups} == {"all_staff", "security_staff"}
    assert session.scalar(select(func.count()).select_from(Assignment)) == 2
    assert session.scalar(select(func.count()).select_from(EmploymentEvent)) == 2
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "roster.import")).details == {"created": 2, "updated": 0}
    again = client.post(preview_url + "/confirm")  # a replayed confirmation applies nothing twice
    assert again.status_code == 302 and session.scalar(select(func.count()).select_from(Trainee)) == 2


def test_changed_rows_update_the_roster(client, session, org):
    make_trainee(org, name="王伟", mobile="13900000001", post="厨师")
    session.commit()
    response = upload(client, org, CSV_ROWS.encode("utf-8"), "roster.csv")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "厨师" in page and "收银员" in page
    client.post(response.headers["Location"] + "/confirm")
    assert session.scalar(select(Trainee.post).join(Trainee.person).where(Person.mobile == "13900000001")) == "收银员"
    # the new post came through the import: a transfer, as with the Transfer button
    wang = session.scalar(select(Trainee).join(Trainee.person).where(Person.mobile == "13900000001"))
    assert "transfer" in set(session.scalars(select(EmploymentEvent.kind).where(EmploymentEvent.trainee_id == wang.id)))


def test_xlsx_upload_works(client, session, org):
    data = tabular.write_xlsx(["姓名", "手机号", "岗位", "入职日期"], [["赵六", "13900000009", "电工", "2026-12-09"]])
    response = upload(client, org, data, "roster.xlsx")
    client.post(response.headers["Location"] + "/confirm")
    assert session.scalar(select(Person.real_name)) == "赵六"


@pytest.mark.parametrize("data, message", [
    (b"\x00\x01\x02binary" * 100, "不是电子表格"),
    ("姓名,岗位\n王伟,收银员\n".encode(), "缺少"),
])
def test_bad_files_get_a_clear_message_and_change_nothing(client, session, org, data, message):
    page = upload(client, org, data, "roster.csv").get_data(as_text=True)
    assert message in page or "spreadsheet" in page or "missing" in page
    assert session.scalar(select(func.count()).select_from(Trainee)) == 0


@pytest.mark.parametrize("size, status", [(6 * 1024 * 1024, 200), (21 * 1024 * 1024, 413)])
def test_huge_uploads_are_refused(client, session, org, size, status):
    body = (b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n'
            b"Content-Type: text/csv\r\n\r\n" + b"a" * size + b"\r\n--xyz--\r\n")
    response = client.post(f"/company/{org.id}/import", data=body, content_type="multipart/form-data; boundary=xyz")
    page = response.get_data(as_text=True)
    assert response.status_code == status
    assert ("5 MB" in page) if status == 200 else ("文件过大" in page or "File too large" in page or "413" in page)
    assert session.scalar(select(func.count()).select_from(Trainee)) == 0


def test_another_admins_preview_is_404(app, client, session, org):
    response = upload(client, org, CSV_ROWS.encode(), "roster.csv")
    other = app.test_client()
    intruder = make_user("org_admin", org=org)
    session.commit()
    other.post("/auth/login", data={"login": intruder.username, "password": "Correct-Horse-9"})
    assert other.get(response.headers["Location"]).status_code == 404
    assert other.post(response.headers["Location"] + "/confirm").status_code == 404


def test_an_id_number_employed_elsewhere_is_flagged_or_becomes_a_second_job(app, client, session, org):
    other = make_org(name="别的单位")
    elsewhere = make_trainee(other, name="李娜", mobile="13700000002", id_number="11010519491231002X")
    session.commit()
    response = upload(client, org, CSV_ROWS.encode("utf-8"), "roster.csv")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "已在其他单位任职" in page and "别的单位" not in page  # the other employer is not named
    errors = client.get(response.headers["Location"] + "/errors.csv").data.decode("utf-8-sig")
    assert "李娜" in errors and "须由原单位先办理离职" in errors
    client.post(response.headers["Location"] + "/confirm")
    assert set(session.scalars(select(Person.real_name))) == {"王伟", "李娜"}
    assert session.scalar(select(func.count()).select_from(Trainee).where(Trainee.person_id == elsewhere.person_id)) == 1

    app.config["ALLOW_CONCURRENT_EMPLOYMENT"] = True  # the office allows second jobs (part-time guards)
    response = upload(client, org, CSV_ROWS.encode("utf-8"), "roster.csv")
    assert "已在其他单位任职" not in client.get(response.headers["Location"]).get_data(as_text=True)
    client.post(response.headers["Location"] + "/confirm")
    session.expire_all()
    jobs = session.scalars(select(Trainee).where(Trainee.person_id == elsewhere.person_id)).all()
    assert sorted((job.organization_id, job.second_job) for job in jobs) == [(org.id, True), (other.id, False)]
    assert session.scalar(select(func.count()).select_from(Person).where(Person.id_number == "11010519491231002X")) == 1


def test_an_id_number_twice_in_one_file_imports_neither_row(client, session, org):
    rows = ("姓名,手机号,身份证号,岗位,重点人群,入职日期\n"
            "李娜,13900000002,11010519491231002X,保安员,,2026-12-02\n"
            "李娜,13900000003,１１０１０５19491231002x,保安员,,2026-12-02\n")
    response = upload(client, org, rows.encode("utf-8"), "roster.csv")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert page.count("此身份证号也出现在第") == 2
    client.post(response.headers["Location"] + "/confirm")
    assert session.scalar(select(func.count()).select_from(Person)) == 0


def test_the_preview_names_changed_key_groups_and_states_in_words(client, session, org):
    left = make_trainee(org, name="李娜", mobile="13900000002", post="保安员", groups=("all_staff",))
    left.status = "left"
    session.commit()
    response = upload(client, org, CSV_ROWS.encode("utf-8"), "roster.csv")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    changed = page[page.index("<td>李娜</td>"):]
    changed = changed[:changed.index("</tr>")]
    assert "重点人群: 全体员工 → " in changed and "安保人员" in changed and "微型消防站队员" in changed
    assert "状态: 已离职 → 在名单上" in changed
    assert "all_staff" not in changed and "('" not in changed and "left" not in changed


DEPARTMENT_ROWS = (
    "姓名,手机号,身份证号,岗位,重点人群,入职日期,所在部门\n"
    "王伟,13900000001,,收银员,,2026-12-01,营运部\n"  # new
    "李娜,13900000002,,保安员,,2026-12-02,安保部\n"  # moves from 物业部
    "赵磊,13900000003,,电工,,2026-12-03,\n"  # blank: keeps 工程部
    "孙丽,13900000005,,收银员,,2026-12-05,\n"  # new, none given
)


def test_an_import_sets_departments_and_a_blank_cell_keeps_the_roster_s(client, session, org):
    make_trainee(org, name="李娜", mobile="13900000002", post="保安员", start_date=date(2026, 12, 2),
                 department="物业部")
    make_trainee(org, name="赵磊", mobile="13900000003", post="电工", start_date=date(2026, 12, 3),
                 department="工程部")
    session.commit()
    response = upload(client, org, DEPARTMENT_ROWS.encode("utf-8"), "roster.csv")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    changed = page[page.index("<td>李娜</td>"):]
    assert "物业部 → 安保部" in changed[:changed.index("</tr>")]  # under the label 部门 (Department)
    assert "<td>赵磊</td>" not in page  # unchanged rows are counted, not listed
    assert "<td>营运部</td>" in page  # the new people's table
    client.post(response.headers["Location"] + "/confirm")
    departments = dict(session.execute(select(Person.real_name, Trainee.department).join(Trainee.person)).all())
    assert departments == {"王伟": "营运部", "李娜": "安保部", "赵磊": "工程部", "孙丽": ""}


def test_an_over_long_department_is_a_reason_in_the_user_s_language(client, session, org):
    client.set_cookie("lang", "en")
    rows = "Name,Mobile,Post,Start date,Dept\n王伟,13900000001,收银员,2026-12-01," + "部" * 101 + "\n"
    response = upload(client, org, rows.encode("utf-8"), "roster.csv")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert response.status_code == 302 and "A department has at most 100 characters." in page
    assert session.scalar(select(func.count()).select_from(Trainee)) == 0
