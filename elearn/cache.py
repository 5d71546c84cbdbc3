"""A small least-recently-used cache that is safe to share between a web worker's threads."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class LruCache(Generic[V]):
    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_make(self, key: Hashable, make: Callable[[], V]) -> V:
        """The cached value, or `make()`'s, stored. `make` runs outside the lock: two threads
        may both make a missing value, and the values are equal (every use here is pure)."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = make()
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def drop_where(self, predicate: Callable[[Hashable], bool]) -> int:
        """Forget every entry whose key matches; returns how many went."""
        with self._lock:
            doomed = [key for key in self._items if predicate(key)]
            for key in doomed:
                del self._items[key]
        return len(doomed)

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)
