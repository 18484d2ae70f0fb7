"""One walk over a parsed template: its nodes by type (in ``find_all`` order) and each node's
parent. Several analyses (Flask names, WTForms detection, imported macros, mutation checks) ask
questions of the same tree; each ``find_all`` walked all of it, which made those analyses cost
about as much as the lowering itself."""

from __future__ import annotations

from collections import defaultdict
from typing import TypeVar

from jinja2 import nodes

N = TypeVar("N", bound=nodes.Node)
_ATTRIBUTE = "_jinja2tsx_index"


class TreeIndex:
    def __init__(self, tree: nodes.Node):
        self.by_type: dict[type, list[nodes.Node]] = defaultdict(list)
        self.parents: dict[int, nodes.Node] = {}
        self.position: dict[int, int] = {}
        # preorder with children in field order: the order of Node.find_all
        stack: list[tuple[nodes.Node, nodes.Node]] = [(c, tree) for c in _children(tree)]
        while stack:
            node, parent = stack.pop()
            self.position[id(node)] = len(self.position)
            self.by_type[type(node)].append(node)
            self.parents[id(node)] = parent
            stack += [(c, node) for c in _children(node)]

    def of(self, *types: type[N]) -> list[N]:
        """The descendants that are instances of ``types``, in document order (as find_all)."""
        lists = [v for t, v in self.by_type.items() if issubclass(t, types)]
        if len(lists) == 1:
            return list(lists[0])  # type: ignore[arg-type]
        found = [n for v in lists for n in v]
        found.sort(key=lambda n: self.position[id(n)])
        return found  # type: ignore[return-value]


def _children(node: nodes.Node) -> list[nodes.Node]:
    """``node.iter_child_nodes()`` in reverse (the order a stack pops them in), without its
    generators: this walk visits every node of every template."""
    out: list[nodes.Node] = []
    for field in node.fields:
        value = getattr(node, field, None)
        if isinstance(value, list):
            out += [c for c in value if isinstance(c, nodes.Node)]
        elif isinstance(value, nodes.Node):
            out.append(value)
    out.reverse()
    return out


def index_of(tree: nodes.Node) -> TreeIndex:
    """The (cached) index of ``tree``; the tree must not change afterwards."""
    index: TreeIndex | None = getattr(tree, _ATTRIBUTE, None)
    if index is None:
        index = TreeIndex(tree)
        object.__setattr__(tree, _ATTRIBUTE, index)
    return index
