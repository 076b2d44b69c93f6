"""The demo's steps, registered by the apps that own them.

The demo app knows no app's demo module: each app's ``demo.py`` registers its step with
``@demo_step("<name>", order=<n>)``, and ``DemoConfig.ready`` imports every installed
app's ``demo`` module (``autodiscover_modules``, as the admin finds ``admin.py``). So
``jamsos.demo`` imports nothing back from the apps' demo modules and the import cycle
between them is gone.

``order`` places a step among the others (lower first); steps that build on another's
rows take a higher number. The base steps (agencies 10, users 20, persons 30) are the
demo app's own; the apps' steps are 40 (enrollment), 50 (bills), 60 (claims) and 70
(proposals). ``DEMO_STEPS`` is one list, kept sorted in place, so a module that imported
it before the apps registered still sees every step.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from jamsos.accounts.models import Agency, User
    from jamsos.regions.models import Region
    from jamsos.registry.models import Person


@dataclass
class DemoContext:
    seed: int
    people: int
    as_of: dt.date
    regency: Region
    agencies: dict[str, Agency] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    persons: list[Person] = field(default_factory=list)

    def rng(self, step: str) -> random.Random:
        """A generator of its own per step (string seeds are stable across runs)."""
        return random.Random(f"jamsos-demo:{self.seed}:{step}")


DemoStep = Callable[["DemoContext"], int]

DEMO_STEPS: list[tuple[str, DemoStep]] = []
_ORDER: dict[str, int] = {}


def register_demo_step(name: str, step: DemoStep, *, order: int) -> DemoStep:
    """Add ``step`` under ``name``; registering the same step again changes nothing."""
    known = dict(DEMO_STEPS).get(name)
    if known is not None and (known is not step and known.__qualname__ != step.__qualname__):
        raise ImproperlyConfigured(f"Demo step {name!r} is registered twice.")
    if order in {o for n, o in _ORDER.items() if n != name}:
        raise ImproperlyConfigured(f"Demo step order {order} is taken ({name!r}).")
    _ORDER[name] = order
    steps = {n: s for n, s in DEMO_STEPS if n != name} | {name: step}
    DEMO_STEPS[:] = sorted(steps.items(), key=lambda item: _ORDER[item[0]])
    return step


def demo_step(name: str, *, order: int) -> Callable[[DemoStep], DemoStep]:
    """Decorator form of ``register_demo_step``."""

    def register(step: DemoStep) -> DemoStep:
        return register_demo_step(name, step, order=order)

    return register
