"""A small per-process cache of analyses of audio clips, keyed by the clip's samples.

A bench scores many outputs of one content, and a batch runs many contents against one
style: the same clip is analysed again and again (its pitch track, its speech
probability), each time by a new object. :class:`ClipCache` keeps the last few results,
keyed by the clip's float32 bytes and the settings that change the answer.

>>> import numpy as np
>>> calls = []
>>> cache = ClipCache(size=2)
>>> y = np.zeros(8, np.float32)
>>> cache.get(y, "rate=8000", lambda: calls.append(1) or 0.5)
0.5
>>> cache.get(y.copy(), "rate=8000", lambda: calls.append(1) or 0.5), len(calls)
(0.5, 1)
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

T = TypeVar("T")


class ClipCache:
    """The ``size`` most recently used results, keyed by a clip's samples and settings."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[str, Any] = OrderedDict()

    def get(self, clip: np.ndarray, settings: str, compute: Callable[[], T]) -> T:
        """The cached result for ``clip`` under ``settings``, else ``compute()`` (kept)."""
        data = np.ascontiguousarray(clip, dtype=np.float32).tobytes()
        key = hashlib.sha1(data + b"|" + settings.encode()).hexdigest()
        if key in self._items:
            self._items.move_to_end(key)
            return self._items[key]
        value = compute()
        self._items[key] = value
        while len(self._items) > self.size:
            self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        """Forget every result."""
        self._items.clear()
