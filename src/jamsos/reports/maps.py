"""Choropleth maps drawn on the server as SVG, from polygons shipped in the package.

No tile server, no internet, no script: the SVG goes into the page as markup (each area a
``<path>`` in a link, with a ``<title>`` tooltip that shows on hover, and on tap in mobile
browsers) and into the PDF reports. Every map has a table twin on its page.

Polygons: ``data/boundaries/*.geojson`` (MIT, © Cahya DSN, see ATTRIBUTION.md there):
every nagari of Kabupaten Sijunjung, every kecamatan and kabupaten of Sumatera Barat.
``boundaries_for(region, level)`` returns None where no polygons are loaded; pages then
show the table only. To load another kabupaten's nagari, add a file
``nagari-<code>-<name>.geojson`` of the same shape (docs/reports.md).

Public API: ``choropleth_svg(areas=[MapArea…], …) -> str``, ``boundaries_for``,
``coverage_map_areas(coverage, level=…, href=…)``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any

from django.utils.html import escape
from django.utils.translation import gettext

from jamsos.lib.formats import angka
from jamsos.regions.models import Region

BOUNDARIES = Path(__file__).parent / "data" / "boundaries"

# Five classes of coverage (ratio), light to dark green; no denominator: grey.
BREAKS = (0.1, 0.25, 0.5, 0.75)
COLOURS = ("#edf8e9", "#bae4b3", "#74c476", "#31a354", "#006d2c")
NO_DATA = "#d9d9d9"

Ring = list[tuple[float, float]]


@dataclass(frozen=True)
class Shape:
    code: str
    name: str
    polygons: tuple[tuple[Ring, ...], ...]  # polygons, each an outer ring and holes


@lru_cache(maxsize=8)
def _file_shapes(name: str) -> dict[str, Shape]:
    data = json.loads((BOUNDARIES / name).read_text(encoding="utf-8"))
    shapes: dict[str, Shape] = {}
    for feature in data["features"]:
        geometry = feature["geometry"]
        coords = geometry["coordinates"]
        polygons = coords if geometry["type"] == "MultiPolygon" else [coords]
        shapes[feature["properties"]["code"]] = Shape(
            code=feature["properties"]["code"],
            name=feature["properties"]["name"],
            polygons=tuple(
                tuple([(float(x), float(y)) for x, y in ring] for ring in polygon)
                for polygon in polygons
            ),
        )
    return shapes


def _files(level: str) -> list[str]:
    prefix = {"village": "nagari-", "district": "kecamatan-", "regency": "kabupaten-"}[level]
    return sorted(p.name for p in BOUNDARIES.glob(prefix + "*.geojson"))


def boundaries_for(region: Region, level: str) -> dict[str, Shape] | None:
    """Shapes of the areas of ``level`` inside ``region`` (all of them), or None when
    any is missing: a map with holes would mislead, so the page shows the table."""
    return _boundaries(region.code, level)


@lru_cache(maxsize=256)
def _boundaries(code: str, level: str) -> dict[str, Shape] | None:
    from jamsos.reports.selectors import region_tree

    tree = region_tree(code)
    nodes = tree.villages if level == Region.Level.VILLAGE else tree.children
    wanted = {n.code for n in nodes if n.level == level}
    if not wanted:
        return None
    found: dict[str, Shape] = {}
    for name in _files(level):
        for code, shape in _file_shapes(name).items():
            if code in wanted:
                found[code] = shape
    return found if set(found) == wanted else None


@dataclass
class MapArea:
    code: str
    name: str
    value: float | None  # coverage ratio; None = no denominator
    tooltip: str
    href: str = ""


def colour_of(value: float | None) -> str:
    if value is None:
        return NO_DATA
    for limit, colour in zip(BREAKS, COLOURS, strict=False):
        if value < limit:
            return colour
    return COLOURS[-1]


def _project(
    shapes: list[Shape], width: int
) -> tuple[Callable[[float, float], tuple[float, float]], int]:
    xs = [x for s in shapes for p in s.polygons for r in p for x, _ in r]
    ys = [y for s in shapes for p in s.polygons for r in p for _, y in r]
    west, east, south, north = min(xs), max(xs), min(ys), max(ys)
    kx = math.cos(math.radians((north + south) / 2))  # equirectangular, true at mid-latitude
    scale = (width - 8) / max((east - west) * kx, 1e-9)
    height = round((north - south) * scale) + 8

    def project(x: float, y: float) -> tuple[float, float]:
        return round(4 + (x - west) * kx * scale, 1), round(4 + (north - y) * scale, 1)

    return project, height


def _path(shape: Shape, project: Callable[[float, float], tuple[float, float]]) -> str:
    parts = []
    for polygon in shape.polygons:
        for ring in polygon:
            points: list[tuple[float, float]] = []
            for x, y in ring:
                point = project(x, y)
                if not points or point != points[-1]:
                    points.append(point)
            if len(points) < 3:
                continue
            head, *rest = points
            parts.append(
                f"M{head[0]:g} {head[1]:g}" + "".join(f"L{px:g} {py:g}" for px, py in rest) + "Z"
            )
    return "".join(parts)


# Projected outlines per set of shapes: (ids, width) → (the shapes, paths, height). The
# shapes are kept in the value, so an id is never reused while its entry lives.
_PATHS: dict[tuple[tuple[int, ...], int], tuple[list[Shape], dict[str, str], int]] = {}


def _paths(drawn: list[Shape], width: int) -> tuple[dict[str, str], int]:
    key = (tuple(id(s) for s in drawn), width)
    hit = _PATHS.get(key)
    if hit is not None and all(a is b for a, b in zip(hit[0], drawn, strict=True)):
        return hit[1], hit[2]
    project, height = _project(drawn, width)
    paths = {shape.code: _path(shape, project) for shape in drawn}
    if len(_PATHS) > 64:
        _PATHS.clear()
    _PATHS[key] = (drawn, paths, height)
    return paths, height


def choropleth_svg(
    *, areas: list[MapArea], shapes: dict[str, Shape], title: str, width: int = 640
) -> str:
    """An SVG choropleth: one linked, titled ``<path>`` per area, and a legend. The
    projected outlines are cached per set of shapes (the polygons never change)."""
    drawn = [shapes[code] for code in sorted({a.code for a in areas if a.code in shapes})]
    if not drawn:
        return ""
    paths, height = _paths(drawn, width)
    legend_y = height + 6
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height + 34}" '
        f'role="img" aria-label="{escape(title)}" class="jamsos-map" data-testid="map">',
        f"<title>{escape(title)}</title>",
    ]
    for area in areas:
        shape = shapes.get(area.code)
        if shape is None:
            continue
        path = (
            f'<path d="{paths[shape.code]}" fill="{colour_of(area.value)}" '
            f'stroke="#ffffff" stroke-width="0.8" fill-rule="evenodd" '
            f'data-code="{escape(area.code)}"><title>{escape(area.tooltip)}</title></path>'
        )
        if area.href:
            path = f'<a href="{escape(area.href)}" aria-label="{escape(area.name)}">{path}</a>'
        out.append(path)
    labels = [
        gettext("< %(p)s%%") % {"p": int(BREAKS[0] * 100)},
        *[f"{int(lo * 100)}–{int(hi * 100)}%" for lo, hi in pairwise(BREAKS)],
        gettext("≥ %(p)s%%") % {"p": int(BREAKS[-1] * 100)},
        gettext("tanpa sasaran"),
    ]
    for i, (label, colour) in enumerate(zip(labels, [*COLOURS, NO_DATA], strict=True)):
        x = 4 + i * (width - 8) / 6
        out.append(
            f'<rect x="{x:.1f}" y="{legend_y}" width="14" height="14" fill="{colour}" '
            f'stroke="#999999" stroke-width="0.5"/>'
            f'<text x="{x + 18:.1f}" y="{legend_y + 11}" font-size="11" '
            f'font-family="sans-serif">{escape(label)}</text>'
        )
    out.append("</svg>")
    return "".join(out)


def area_tooltip(area: Any) -> str:
    """ "Timbulun: 120 aktif dari 500 layak (24,0%) · 1 Nagari 100 orang: 40 dari 100"."""
    if area.eligible:
        figure = gettext("%(a)s aktif dari %(e)s layak (%(p)s)") % {
            "a": angka(area.active),
            "e": angka(area.eligible),
            "p": f"{area.coverage * 100:.1f}%".replace(".", ","),
        }
    else:
        figure = gettext("%(a)s aktif (belum ada sasaran)") % {"a": angka(area.active)}
    text = f"{area.name}: {figure}"
    if area.nagari_minimum:
        text += " · " + gettext("1 Nagari 100 orang: %(f)s dari %(m)s") % {
            "f": angka(area.nagari_funded_active),
            "m": angka(area.nagari_minimum),
        }
    return text


def coverage_map_areas(coverage: Any, *, href: Callable[[Any], str] | None = None) -> list[MapArea]:
    return [
        MapArea(
            code=area.code,
            name=area.name,
            value=area.coverage,
            tooltip=area_tooltip(area),
            href=href(area) if href else "",
        )
        for area in coverage.areas
    ]


def coverage_map_svg(
    coverage: Any, *, level: str, title: str, href: Callable[[Any], str] | None = None
) -> str:
    """The map of a ``Coverage`` whose areas are of ``level``; "" without polygons."""
    shapes = boundaries_for(coverage.region, level)
    if shapes is None:
        return ""
    return choropleth_svg(areas=coverage_map_areas(coverage, href=href), shapes=shapes, title=title)
