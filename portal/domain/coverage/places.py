"""The locality tree, loaded once per computation: district > street/township > community/village > grid."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Locality


@dataclass
class Place:
    id: int
    code: str
    name_zh: str
    name_en: str
    level: str
    parent_id: int | None
    children: list[int] = field(default_factory=list)

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_zh


@dataclass
class LocalityTree:
    places: dict[int, Place]
    roots: list[int]
    _ancestors: dict[int, tuple[int, ...]] = field(default_factory=dict)

    def get(self, locality_id: int | None) -> Place | None:
        return self.places.get(locality_id) if locality_id is not None else None

    def ancestors(self, locality_id: int) -> tuple[int, ...]:
        """The locality itself, then its parent... up to its root (guarded against cycles)."""
        found = self._ancestors.get(locality_id)
        if found is None:
            chain, current = [], locality_id
            while current is not None and current in self.places and current not in chain:
                chain.append(current)
                current = self.places[current].parent_id
            found = self._ancestors[locality_id] = tuple(chain)
        return found

    def subtree(self, locality_id: int) -> set[int]:
        """The locality and everything below it."""
        found, stack = set(), [locality_id]
        while stack:
            current = stack.pop()
            if current in found or current not in self.places:
                continue
            found.add(current)
            stack.extend(self.places[current].children)
        return found

    def path(self, locality_id: int | None) -> list[Place]:
        """From the root down to the locality, for breadcrumbs."""
        if locality_id is None or locality_id not in self.places:
            return []
        return [self.places[i] for i in reversed(self.ancestors(locality_id))]

    def top(self) -> int | None:
        """The district: the single root, if there is one."""
        return self.roots[0] if len(self.roots) == 1 else None

    def children_of(self, locality_id: int | None) -> list[Place]:
        """The level below a locality; below the whole area, the roots (or the single root's children)."""
        if locality_id is None:
            top = self.top()
            ids = self.places[top].children if top is not None else self.roots
        else:
            ids = self.places[locality_id].children if locality_id in self.places else []
        return sorted((self.places[i] for i in ids), key=lambda p: p.code)

    def at_level(self, level: str) -> list[Place]:
        return sorted((p for p in self.places.values() if p.level == level), key=lambda p: p.code)

    def by_code(self, code: str) -> Place | None:
        code = (code or "").strip()
        return next((p for p in self.places.values() if p.code == code), None)


def load_tree(session: Session) -> LocalityTree:
    """Every locality in one query."""
    places = {row.id: Place(row.id, row.code, row.name_zh, row.name_en, row.level, row.parent_id)
              for row in session.execute(select(Locality.id, Locality.code, Locality.name_zh, Locality.name_en,
                                                Locality.level, Locality.parent_id))}
    roots = []
    for place in places.values():
        if place.parent_id is not None and place.parent_id in places:
            places[place.parent_id].children.append(place.id)
        else:
            roots.append(place.id)
    return LocalityTree(places=places, roots=sorted(roots, key=lambda i: places[i].code))


@dataclass
class PickerNode:
    """A locality as the picker shows it: its place, its path below the district, whether the search shows it."""
    place: Place
    path: list[str]
    shown: bool
    children: list["PickerNode"]


def picker_nodes(tree: LocalityTree, locale: str, query: str = "") -> list[PickerNode]:
    """The tree for choosing a locality, searched by name (or code): a place is shown when it, a place above it
    or a place below it matches, so every match keeps its path and what lies below it."""
    needle = (query or "").strip().casefold()
    top = tree.top()

    def node(place_id: int, above_matches: bool, path: list[str]) -> PickerNode:
        place = tree.places[place_id]
        path = path + [place.name(locale)] if place_id != top else path
        matches = bool(needle) and (needle in place.name_zh.casefold() or needle in place.name_en.casefold()
                                    or needle in place.code.casefold())
        children = [node(child.id, above_matches or matches, path) for child in tree.children_of(place_id)]
        shown = not needle or above_matches or matches or any(child.shown for child in children)
        return PickerNode(place, path or [place.name(locale)], shown, children)

    return [node(root, False, []) for root in tree.roots]


def path_names(tree: LocalityTree, locality_id: int | None, locale: str) -> list[str]:
    """The names from the street down to the locality (the district alone when it is the district)."""
    places = tree.path(locality_id)
    below = [p.name(locale) for p in places if p.id != tree.top()]
    return below or [p.name(locale) for p in places]
