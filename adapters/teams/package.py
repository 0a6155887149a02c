"""The Teams app package: manifest.json (from manifest/teams/) with this deployment's ids, and the two icons.

The icons are drawn here with the standard library (zlib + struct) so the package never depends on an
image tool: a 192×192 colour icon and a 32×32 white-on-transparent outline icon, as Teams requires.
"""
from __future__ import annotations

import json
import math
import re
import struct
import zipfile
import zlib
from pathlib import Path

SOURCES = Path(__file__).resolve().parents[2] / "manifest" / "teams"
GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
ACCENT = (0x5B, 0x5F, 0xC7)
# Teams' schema (v1.22) allows at most 32 characters for developer.name; upload refuses a longer one.
DEVELOPER_NAME = "Safeguarding partnership"
DEVELOPER_NAME_MAX = 32


class PackageError(ValueError):
    """The package cannot be built as asked; the message says which value is wrong."""


# -- icons ---------------------------------------------------------------------------------------------
def png(width: int, height: int, pixels: list[list[tuple[int, int, int, int]]]) -> bytes:
    """An 8-bit RGBA PNG (no filtering: the icons are tiny)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + bytes(c for px in row for c in px) for row in pixels)
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def _segment_distance(x: float, y: float, a: tuple[float, float], b: tuple[float, float]) -> float:
    ax, ay = a
    bx, by = b
    t = max(0.0, min(1.0, ((x - ax) * (bx - ax) + (y - ay) * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2)))
    return math.hypot(x - (ax + t * (bx - ax)), y - (ay + t * (by - ay)))


def _mark(size: int, x: float, y: float) -> float:
    """Coverage (0..1) of the symbol at a pixel centre: a ring with a tick (a review, completed)."""
    s = size
    c = (s / 2, s / 2)
    ring = abs(math.hypot(x - c[0], y - c[1]) - 0.36 * s) - 0.055 * s
    tick = min(_segment_distance(x, y, (0.32 * s, 0.52 * s), (0.45 * s, 0.65 * s)),
               _segment_distance(x, y, (0.45 * s, 0.65 * s), (0.69 * s, 0.38 * s))) - 0.055 * s
    edge = min(ring, tick)
    return max(0.0, min(1.0, 0.5 - edge))  # one pixel of anti-aliasing


def color_icon(size: int = 192) -> bytes:
    rows = []
    for j in range(size):
        row = []
        for i in range(size):
            a = _mark(size, i + 0.5, j + 0.5)
            row.append(tuple(round(255 * a + ch * (1 - a)) for ch in ACCENT) + (255,))
        rows.append(row)
    return png(size, size, rows)


def outline_icon(size: int = 32) -> bytes:
    return png(size, size, [[(255, 255, 255, round(255 * _mark(size, i + 0.5, j + 0.5))) for i in range(size)]
                            for j in range(size)])


# -- the manifest --------------------------------------------------------------------------------------------
def manifest(bot_id: str, *, app_id: str | None = None, version: str = "0.1.0",
             developer_name: str = DEVELOPER_NAME, website: str = "https://www.example.org/") -> dict:
    if not GUID.match(bot_id or ""):
        raise PackageError(f"bot id {bot_id!r} is not an Entra app id (a GUID like 00000000-0000-0000-0000-000000000000)")
    app_id = app_id or bot_id
    if not GUID.match(app_id):
        raise PackageError(f"Teams app id {app_id!r} is not a GUID")
    if not re.fullmatch(r"\d{1,3}\.\d{1,3}\.\d{1,3}", version):
        raise PackageError(f"version {version!r} must look like 1.0.0")
    if not 0 < len(developer_name) <= DEVELOPER_NAME_MAX:
        raise PackageError(f"developer name {developer_name!r} must be 1 to {DEVELOPER_NAME_MAX} characters "
                           f"(it is {len(developer_name)}), e.g. \"Anytown Safeguarding Children\"")
    if not website.startswith("https://"):
        raise PackageError(f"website {website!r} must be an https:// address")
    text = (SOURCES / "manifest.json").read_text(encoding="utf-8")
    for key, value in {"BOT_ID": bot_id, "TEAMS_APP_ID": app_id, "DEVELOPER_NAME": developer_name,
                       "WEBSITE_URL": website}.items():
        text = text.replace("{{" + key + "}}", json.dumps(value)[1:-1])
    data = json.loads(text)
    data["version"] = version
    return data


def build_package(out: Path, bot_id: str, **options: str) -> dict:
    """Write the zip Teams sideloads: manifest.json, color.png, outline.png at its top level."""
    data = manifest(bot_id, **options)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("manifest.json", json.dumps(data, indent=2, ensure_ascii=False))
        z.writestr(data["icons"]["color"], color_icon())
        z.writestr(data["icons"]["outline"], outline_icon())
    return data
