"""Hooks: the one typed registry through which a part of the system reacts to another's events.

The domain that lets others react declares a `Hook` beside the event it hands them, and emits:

    STEPPED: Hook[Stepped, None] = Hook("vault.stepped")      # vault/lifecycle.py
    rt.hooks.emit(STEPPED, Stepped(rt, session, shipment, "delivered"))

Who reacts is decided in one place, the composition root (`assembly.SUBSCRIPTIONS`), which
subscribes a handler of the matching type: `rt.hooks.subscribe(STEPPED, relay.on_lifecycle)`.
A domain never subscribes another domain's handler itself, so the cross-domain wiring of the
whole system reads as one table. `E` is what a handler is given, `R` what it answers (`None`
for a plain reaction, `bool` for a proof check, a section for an investigator …).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

E = TypeVar("E")
R = TypeVar("R")


class Hook(Generic[E, R]):
    """A named point where subscribers are handed an `E` and answer an `R`."""

    __slots__ = ("doc", "name")

    def __init__(self, name: str, doc: str = "") -> None:
        self.name = name
        self.doc = doc

    def __repr__(self) -> str:
        return f"Hook({self.name!r})"


class Hooks:
    """One runtime's subscribers, by hook; subscribing the same handler twice keeps one."""

    def __init__(self) -> None:
        self._subscribers: dict[Hook[Any, Any], tuple[Callable[[Any], Any], ...]] = {}
        self._lock = threading.Lock()

    def subscribe(self, hook: Hook[E, R], handler: Callable[[E], R]) -> None:
        """Call `handler(event)` whenever `hook` is emitted, after the earlier subscribers."""
        with self._lock:
            found = self._subscribers.get(hook, ())
            if handler not in found:
                self._subscribers[hook] = (*found, handler)

    def unsubscribe(self, hook: Hook[E, R], handler: Callable[[E], R]) -> None:
        """Stop calling `handler` (a stopped background part leaves the runtime clean)."""
        with self._lock:
            found = self._subscribers.get(hook, ())
            self._subscribers[hook] = tuple(h for h in found if h != handler)

    def subscribers(self, hook: Hook[E, R]) -> tuple[Callable[[E], R], ...]:
        """Return the handlers of `hook`, in the order they run."""
        return self._subscribers.get(hook, ())

    def emit(self, hook: Hook[E, R], event: E) -> list[R]:
        """Hand `event` to every subscriber in order; return their answers.

        A subscriber's error goes to the emitter (a reaction inside a transaction must be able
        to roll it back); an emitter that must survive a broken subscriber loops over
        `subscribers()` itself.
        """
        return [handler(event) for handler in self.subscribers(hook)]
