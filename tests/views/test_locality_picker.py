"""A target's locality is picked from the tree, searched by name, and checked on the server."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.domain.coverage.places import load_tree, path_names, picker_nodes
from portal.models import KeyGroup, Locality, Target
from tests.factories import make_user


def add(code, zh, en, level, parent=None):
    from portal.extensions import db

    place = Locality(code=code, name_zh=zh, name_en=en, level=level, parent=parent)
    db.session.add(place)
    db.session.flush()
    return place


@pytest.fixture
def places(session):
    district = add("P0", "铁西区", "Tiexi", "district")
    south = add("P01", "城南街道", "Chengnan", "street", district)
    happy = add("P0101", "幸福社区", "Xingfu", "community", south)
    grid = add("P010103", "第3网格", "Grid 3", "grid", happy)
    north = add("P02", "城北街道", "Chengbei", "street", district)
    peace = add("P0201", "和平社区", "Heping", "community", north)
    session.commit()
    return {"district": district, "south": south, "happy": happy, "grid": grid, "north": north, "peace": peace}


@pytest.fixture
def office(session, login, client, places):
    user = make_user("office_admin")
    session.commit()
    login(user)
    client.set_cookie("lang", "en")
    return user


def item(page: str, place: Locality) -> str:
    """The <li> opening tag of a place in the picker."""
    names = f"{place.name_zh} {place.name_en} {place.code}".lower()
    return re.search(rf'<li data-names="{re.escape(names)}"[^>]*>', page).group(0)


def grid_worker(session) -> int:
    return session.scalar(select(KeyGroup.id).where(KeyGroup.code == "grid_worker"))


def form(session, **changes):
    data = {"group_id": grid_worker(session), "declared_count": "12", "deadline": "2026-12-31", "target_rate": "90"}
    data.update(changes)
    return data


def test_the_picker_is_the_tree_as_nested_lists_of_labelled_radio_buttons(client, office, places):
    page = client.get("/office/coverage/targets").get_data(as_text=True)
    assert '<legend>Locality</legend>' in page and '<label for="locality-q">Find a locality by name</label>' in page
    assert 'name="locality_code"' not in page
    grid = places["grid"]
    assert f'<input type="radio" name="locality_id" value="{grid.id}" data-path="Chengnan / Xingfu / Grid 3">' in page
    assert f'<ul aria-labelledby="locality-{places["happy"].id}-label">' in page
    assert all(" hidden" not in item(page, place) for place in places.values())
    assert "js/locality-picker." in page
    client.set_cookie("lang", "zh_CN")
    chinese = client.get("/office/coverage/targets").get_data(as_text=True)
    assert f'value="{grid.id}" data-path="城南街道 / 幸福社区 / 第3网格">' in chinese


def test_searching_by_name_keeps_the_matches_their_path_and_what_is_below(client, office, places):
    page = client.get("/office/coverage/targets?q=幸福").get_data(as_text=True)
    shown = {name for name, place in places.items() if " hidden" not in item(page, place)}
    assert shown == {"district", "south", "happy", "grid"}
    assert 'value="幸福"' in page and "Show every locality" in page
    assert re.search(r'<p class="muted" id="locality-none" hidden>', page)
    nothing = client.get("/office/coverage/targets?q=nowhere-at-all").get_data(as_text=True)
    assert re.search(r'<p class="muted" id="locality-none">No locality has this name.</p>', nothing)


def test_search_finds_english_names_and_codes_whatever_the_case():
    from portal.domain.coverage.places import LocalityTree, Place

    tree = LocalityTree(places={1: Place(1, "D", "区", "District", "district", None, [2]),
                                2: Place(2, "S1", "城南街道", "Chengnan", "street", 1)}, roots=[1])
    assert [n.shown for n in picker_nodes(tree, "en", "CHENG")[0].children] == [True]
    assert [n.shown for n in picker_nodes(tree, "zh", "s1")[0].children] == [True]
    assert [n.shown for n in picker_nodes(tree, "zh", "城北")[0].children] == [False]
    assert path_names(tree, 2, "zh") == ["城南街道"] and path_names(tree, 1, "en") == ["District"]


def test_a_picked_grid_is_saved_as_the_targets_locality(client, office, session, places):
    response = client.post("/office/coverage/targets", data=form(session, locality_id=str(places["grid"].id)))
    assert response.status_code == 302
    target = session.scalar(select(Target))
    assert (target.locality_id, target.declared_count, target.target_rate) == (places["grid"].id, 12, 0.9)


@pytest.mark.parametrize("value, message", [
    ("", "Choose the locality of the target."),
    ("abc", "There is no such locality; choose one from the list."),
    ("999999", "There is no such locality; choose one from the list."),
    ("-1", "There is no such locality; choose one from the list."),
    ("9" * 30, "Field cannot be longer than 20 characters."),
])
def test_a_locality_that_is_not_in_the_tree_is_refused_with_a_message(client, office, session, value, message):
    response = client.post("/office/coverage/targets", data=form(session, locality_id=value))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'<p class="error" id="locality_id-error">{message}</p>' in page
    assert 'value="12"' in page and 'value="90"' in page  # what was typed stays
    assert session.scalar(select(Target)) is None


def test_a_picked_locality_stays_picked_with_its_path_when_another_field_is_wrong(client, office, session, places):
    grid = places["grid"]
    page = client.post("/office/coverage/targets", data=form(session, locality_id=str(grid.id), target_rate="0")
                       ).get_data(as_text=True)
    assert f'value="{grid.id}" data-path="Chengnan / Xingfu / Grid 3" checked>' in page
    assert '<strong data-none="nothing yet">Chengnan / Xingfu / Grid 3</strong>' in page
    assert session.scalar(select(Target)) is None


def test_the_tree_is_read_once(session, places):
    tree = load_tree(session)
    (root,) = picker_nodes(tree, "zh")
    assert root.path == ["铁西区"] and [n.place.code for n in root.children] == ["P01", "P02"]
    assert root.children[0].children[0].children[0].path == ["城南街道", "幸福社区", "第3网格"]
