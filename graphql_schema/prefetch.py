"""Prefetch by selection: turn what a query selected into loader options, one statement a relation.

Each GraphQL type registers which of its fields read an ORM relationship (a path of
one or more relationships) and which GraphQL type that field returns. A list resolver
walks its selection with `loader_options` and loads every selected relation for the
whole page up front; nested resolvers then only read attributes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.interfaces import ORMOption
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection


@dataclass(frozen=True)
class Relation:
    path: tuple[Any, ...]
    target: str
    when: Callable[[dict[str, Any]], bool] | None = None


_RELATIONS: dict[str, dict[str, tuple[Relation, ...]]] = {}


def register_relations(
    type_name: str,
    fields: dict[str, tuple[Sequence[Any], str]],
    *,
    when: Callable[[dict[str, Any]], bool] | None = None,
) -> None:
    """Declare the fields of `type_name` that read relationships: name -> (path, target type).

    An empty path means the field returns the same object seen as another type (a wrapper).
    `when`, given the field's arguments, says whether the field reads the relationship.
    """
    _RELATIONS.setdefault(type_name, {}).update(
        {name: (Relation(tuple(path), target, when),) for name, (path, target) in fields.items()}
    )


def register_union_relation(
    type_name: str, field: str, members: Sequence[tuple[Sequence[Any], str]]
) -> None:
    """A field returning a union: one relationship per member type, each loaded with what
    the fragments on that member select."""
    _RELATIONS.setdefault(type_name, {})[field] = tuple(
        Relation(tuple(path), target) for path, target in members
    )


_Tree = dict[Any, "_Tree"]


def _collect(selections: Iterable[Selection], type_name: str, tree: _Tree) -> None:
    relations = _RELATIONS.get(type_name, {})
    for selection in selections:
        if isinstance(selection, (InlineFragment, FragmentSpread)):
            if selection.type_condition in (None, type_name, "Node"):
                _collect(selection.selections, type_name, tree)
            continue
        for relation in relations.get(selection.name, ()):
            if relation.when is not None and not relation.when(selection.arguments):
                continue
            node = tree
            for attribute in relation.path:
                node = node.setdefault(attribute, {})
            _collect(selection.selections, relation.target, node)


def _options(tree: _Tree) -> list[Any]:
    options: list[Any] = []
    for attribute, children in tree.items():
        loader = selectinload(attribute)
        if children:
            loader = loader.options(*_options(children))
        options.append(loader)
    return options


def loader_options(selections: Iterable[Selection], type_name: str) -> list[ORMOption]:
    """Loader options for the relations selected below an object of `type_name`."""
    tree: _Tree = {}
    _collect(selections, type_name, tree)
    options: list[ORMOption] = _options(tree)
    return options


def fully_loaded(record: Any, selections: Iterable[Selection], type_name: str) -> bool:
    """Whether every relation the selection needs is loaded on `record` and below it.

    A `populate_existing` load whose selection comes back to an object it already loaded
    (an item's sprint's items hold the item) loads that object again without the relations
    of its first visit, and those become unloaded."""
    tree: _Tree = {}
    _collect(selections, type_name, tree)
    return _loaded(record, tree)


def _loaded(record: Any, tree: _Tree) -> bool:
    state = inspect(record)
    for attribute, children in tree.items():
        if not isinstance(record, attribute.class_):
            continue  # a union's member path on another class
        if attribute.key in state.unloaded:
            return False
        value = state.dict.get(attribute.key)
        related = value if isinstance(value, (list, set, tuple)) else [value]
        if children and not all(_loaded(item, children) for item in related if item is not None):
            return False
    return True


def child_selections(selections: Iterable[Selection], *path: str) -> list[Selection]:
    """The selections found below `path` (e.g. `edges`, `node`), through fragments."""
    current = list(selections)
    for name in path:
        found: list[Selection] = []
        for selection in _flatten(current):
            if selection.name == name:
                found.extend(selection.selections)
        current = found
    return current


def _flatten(selections: Iterable[Selection]) -> Iterable[SelectedField]:
    for selection in selections:
        if isinstance(selection, (InlineFragment, FragmentSpread)):
            yield from _flatten(selection.selections)
        else:
            yield selection


def is_selected(selections: Iterable[Selection], name: str) -> bool:
    return any(selection.name == name for selection in _flatten(selections))
