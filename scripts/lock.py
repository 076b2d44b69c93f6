"""Re-pin requirements/base.txt and requirements/dev.txt from the current virtualenv.

Run through ``make lock`` after changing the ranges in pyproject.toml, ideally in a fresh
virtualenv so that stray packages are not pinned. A package is "dev" when only the dev
extras need it.
"""

from __future__ import annotations

import re
import subprocess
import sys
from importlib.metadata import distribution, distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_names(
    dist_name: str, extras: frozenset[str] = frozenset()
) -> set[tuple[str, frozenset[str]]]:
    """(name, extras) of what ``dist_name`` (with ``extras``) requires."""
    names = set()
    for req in distribution(dist_name).requires or []:
        spec, _, marker = req.partition(";")
        if "extra ==" in marker and not any(
            f"'{e}'" in marker or f'"{e}"' in marker for e in extras
        ):
            continue
        name = norm(re.split(r"[\s\[<>=!~(]", spec.strip(), maxsplit=1)[0])
        wanted = re.search(r"\[([^\]]*)\]", spec)
        sub = frozenset(x.strip() for x in wanted.group(1).split(",")) if wanted else frozenset()
        names.add((name, sub))
    return names


def closure(roots: set[tuple[str, frozenset[str]]]) -> set[str]:
    installed = {norm(d.metadata["Name"]): d.metadata["Name"] for d in distributions()}
    seen: set[tuple[str, frozenset[str]]] = set()
    todo = [r for r in roots if r[0] in installed]
    while todo:
        item = todo.pop()
        if item in seen:
            continue
        seen.add(item)
        todo.extend(r for r in requirement_names(installed[item[0]], item[1]) if r[0] in installed)
    return {name for name, _ in seen}


def main() -> None:
    base = closure(requirement_names("jamsos"))
    dev = closure(requirement_names("jamsos", frozenset({"dev"}))) - base
    frozen = subprocess.run(
        [sys.executable, "-m", "pip", "freeze", "--exclude-editable"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    pins = {norm(line.split("==")[0]): line for line in frozen if "==" in line}
    (ROOT / "requirements/base.txt").write_text(
        "# Exact pins for the runtime; ranges live in pyproject.toml.\n# Regenerate: make lock\n"
        + "\n".join(pins[n] for n in sorted(base) if n in pins)
        + "\n"
    )
    (ROOT / "requirements/dev.txt").write_text(
        "# Exact pins for tests and tooling, on top of base.txt.\n-r base.txt\n"
        + "\n".join(pins[n] for n in sorted(dev) if n in pins)
        + "\n"
    )


if __name__ == "__main__":
    main()
