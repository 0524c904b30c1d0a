"""tests/plugins/schedule.py: the order in which the test workers take the modules."""

from __future__ import annotations

from dataclasses import dataclass

from plugins.schedule import module_order


@dataclass
class Item:
    nodeid: str
    slow: bool = False

    def get_closest_marker(self, name: str) -> object | None:
        return object() if name == "slow" and self.slow else None


def test_modules_with_a_slow_test_go_first_then_by_number_of_tests_each_module_together():
    items = [Item("a.py::one"), Item("b.py::one"), Item("b.py::two"), Item("c.py::one"),
             Item("c.py::two", slow=True), Item("d.py::one"), Item("a.py::two"), Item("a.py::three")]
    order = [i.nodeid for i in module_order(items)]  # type: ignore[arg-type]
    assert order == ["c.py::one", "c.py::two", "a.py::one", "a.py::two", "a.py::three",
                     "b.py::one", "b.py::two", "d.py::one"]
