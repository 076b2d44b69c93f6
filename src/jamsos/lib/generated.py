"""Export kinds built in the background: the generic part of "generated exports".

An export that can take more than a couple of seconds on big data (a rejection report of
200,000 rows took 46 s inside one request) is built by the task worker instead, with
progress, and offered on a page when ready. An app registers each kind once (in its
``AppConfig.ready``); the model, the task, the services and the pages that run any kind
live in ``jamsos.intake`` (``GeneratedExport``, ``intake.generated``), so adding a kind
needs no new table, task or view.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Progress = Callable[[int], None]


@dataclass(frozen=True)
class ExportKind:
    """How to build one kind of export.

    ``build(object_id, viewer, progress)`` returns the file's bytes and calls
    ``progress(rows_done)`` now and then; ``may_download(viewer, object_id)`` re-checks
    access when the file is fetched (access may have changed since the request);
    ``file_name(object_id)`` is the download name.
    """

    name: str
    build: Callable[[int, Any, Progress], bytes]
    may_download: Callable[[Any, int], bool]
    file_name: Callable[[int], str]
    content_type: str


EXPORT_KINDS: dict[str, ExportKind] = {}


def export_kind_register(kind: ExportKind) -> None:
    EXPORT_KINDS[kind.name] = kind


def export_kind(name: str) -> ExportKind:
    try:
        return EXPORT_KINDS[name]
    except KeyError:
        raise LookupError(f"export kind {name!r} is not registered") from None
