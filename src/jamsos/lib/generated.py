"""Export kinds built in the background: the registry of "generated files".

An export that can take more than a couple of seconds on big data (a rejection report of
200,000 rows took 46 s inside one request) is built by the task worker instead, with
progress, and offered on a page when ready. An app registers each kind once (in its
``AppConfig.ready``); the model, the task, the services and the pages that run any kind
live in ``jamsos.worker`` (``GeneratedFile``, ``worker.files``, ``worker.views``), so
adding a kind needs no new table, task or view.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

Progress = Callable[[int], None]


@dataclass(frozen=True)
class ExportKind:
    """How to build one kind of export. ``file`` is the ``worker.GeneratedFile`` row
    (``object_id``, ``params``, ``owner``).

    ``build(file, progress)`` returns the file's bytes and calls ``progress(rows_done)``
    now and then; ``may_download(viewer, file)`` re-checks the viewer's current rights
    when the file is fetched (roles and regions change after a file is made);
    ``file_name(file)`` is the download name. A kind listing persons names them in
    ``persons(file)`` (``(id, NIK)`` pairs) and ``fields``: each download writes the
    personal-data access log.
    """

    name: str
    build: Callable[[Any, Progress], bytes]
    may_download: Callable[[Any, Any], bool]
    file_name: Callable[[Any], str]
    # A string, or ``content_type(file)`` when it depends on the file's params.
    content_type: str | Callable[[Any], str]
    persons: Callable[[Any], Iterable[tuple[int, str]]] | None = None
    fields: tuple[str, ...] = ()


EXPORT_KINDS: dict[str, ExportKind] = {}


def export_kind_register(kind: ExportKind) -> None:
    EXPORT_KINDS[kind.name] = kind


def export_kind(name: str) -> ExportKind:
    try:
        return EXPORT_KINDS[name]
    except KeyError:
        raise LookupError(f"export kind {name!r} is not registered") from None


# Apps that keep generated files in their own tables (enrollment's decree documents,
# shared by every viewer of a decree) register how to sweep them: ``sweep(now=...)``
# fails busy rows whose task is gone and expires old files, returning the ids it changed
# by label. ``jamsos exports_sweep`` runs them after its own.
Sweeper = Callable[..., dict[str, list[int]]]
FILE_SWEEPERS: list[Sweeper] = []


def file_sweeper_register(sweeper: Sweeper) -> None:
    if sweeper not in FILE_SWEEPERS:
        FILE_SWEEPERS.append(sweeper)
