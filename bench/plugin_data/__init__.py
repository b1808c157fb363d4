"""Each plugin's benchmark data and pages: one module per plugin, named after it.

A module `bench/plugin_data/<plugin>.py` has
- `PAGES`: the plugin's `bench.pages.Page` rows (their `plugin` field set to the plugin's name);
- `fill(context: Context) -> dict[str, int]`: adds the plugin's data through its own services, after the core
  data is committed, may add path values to the accounts (e.g. `account["discussion_id"]`), commits, and
  returns the sizes to report.
The generator calls `fill` only for the enabled plugins, and the runner drives only their pages.
"""

from __future__ import annotations

import importlib
import pkgutil
import random
from dataclasses import dataclass
from types import ModuleType


@dataclass
class Context:
    """What the core generator made, for the plugins to build on."""

    scale: float
    rng: random.Random
    programme: object
    cohorts: list
    lecturers: list
    #: role -> the account dicts the runner logs in with (learners interleaved over cohorts)
    accounts: dict[str, list[dict]]

    @property
    def reference(self) -> bool:
        """Whether this is the reference dataset (scale 1.0 or more)."""
        return self.scale >= 1


def modules() -> dict[str, ModuleType]:
    """Every plugin data module, by plugin name."""
    return {
        info.name: importlib.import_module(f"{__name__}.{info.name}")
        for info in pkgutil.iter_modules(__path__)
        if not info.name.startswith("_")
    }
