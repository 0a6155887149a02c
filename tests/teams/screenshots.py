"""Pictures of the Teams cards for people to review: each card rendered by Microsoft's adaptivecards
library in headless Chromium (Debian's package), from local files only (no CDN, no browser download)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.teams.cards_util import BUNDLE, JS

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "test-output" / "cards"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
                  "--allow-file-access-from-files", "--default-background-color=ffffffff"]

# Close to Teams' light theme, so reviewers see roughly what members will.
HOST_CONFIG = {
    "fontFamily": "Segoe UI, Liberation Sans, DejaVu Sans, sans-serif",
    "spacing": {"small": 4, "default": 8, "medium": 16, "large": 20, "extraLarge": 24, "padding": 16},
    "containerStyles": {
        "default": {"backgroundColor": "#FFFFFF", "foregroundColors": {"default": {"default": "#242424", "subtle": "#616161"},
                    "attention": {"default": "#C4314B"}, "good": {"default": "#237B4B"}}},
        "emphasis": {"backgroundColor": "#F5F5F5"},
        "good": {"backgroundColor": "#E7F2DA"}, "attention": {"backgroundColor": "#FCF4F6"},
    },
    "actions": {"maxActions": 6, "buttonSpacing": 8, "actionsOrientation": "horizontal", "actionAlignment": "left",
                "showCard": {"actionMode": "inline", "inlineTopMargin": 8}},
}


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def require_chromium() -> str:
    """The screenshots are part of the review: in CI a missing Chromium fails, elsewhere it skips."""
    path = chromium()
    why = None if path else "Debian's chromium is not installed (.ci/setup.d/chromium.sh installs it)"
    if why is None and not BUNDLE.exists():
        why = "tests/js/node_modules is missing: run `make js`"
    if why:
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)
    return path


def _page(card: dict, title: str) -> str:
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>{title}</title>
<link rel="stylesheet" href="{(BUNDLE.parent / 'adaptivecards.css').as_uri()}">
<style>body{{margin:0;padding:16px;background:#F0F0F0;font-family:'Segoe UI','Liberation Sans','DejaVu Sans',sans-serif}}
#card{{width:480px;background:#fff;border:1px solid #E0E0E0;border-radius:6px;overflow:hidden}}
.ac-pushButton{{border:1px solid #D1D1D1;background:#fff;border-radius:4px;padding:4px 12px;margin-right:4px;font-weight:600}}
.ac-pushButton.style-positive{{background:#5B5FC7;color:#fff}} .ac-pushButton.style-destructive{{background:#C4314B;color:#fff}}
</style></head><body><div id="card"></div>
<script src="{BUNDLE.as_uri()}"></script>
<script>
const card = new AdaptiveCards.AdaptiveCard();
card.hostConfig = new AdaptiveCards.HostConfig({json.dumps(HOST_CONFIG)});
card.parse({json.dumps(card)});
document.getElementById("card").appendChild(card.render());
</script></body></html>"""


def _height(card: dict) -> int:
    """A window tall enough for the card (Chromium's screenshot cannot size itself to the page)."""
    px = 0

    def walk(x) -> None:  # noqa: ANN001
        nonlocal px
        if isinstance(x, list):
            for v in x:
                walk(v)
            return
        if not isinstance(x, dict):
            return
        kind = x.get("type", "")
        if kind == "TextBlock":
            px += 22 * (1 + len(x.get("text", "")) // 55)
        elif kind == "FactSet":
            px += sum(22 * (1 + len(f.get("value", "")) // 30) for f in x.get("facts", []))
        elif kind.startswith("Input."):
            px += 110 if x.get("isMultiline") else 64
            px += 30 * len(x.get("choices", []))
        elif kind == "Action.ShowCard":
            return  # collapsed in the picture
        for key in ("body", "items", "columns", "card"):
            if key in x:
                walk(x[key])

    walk(card.get("body", []))
    return max(240, min(6000, px + 150))


def screenshot(card: dict, name: str, folder: Path = OUT) -> Path:
    exe = require_chromium()
    folder.mkdir(parents=True, exist_ok=True)
    html = folder / f"{name}.html"
    png = folder / f"{name}.png"
    html.write_text(_page(card, name), encoding="utf-8")
    png.unlink(missing_ok=True)
    subprocess.run([exe, *CHROMIUM_FLAGS, f"--window-size=520,{_height(card)}", f"--screenshot={png}", html.as_uri()],
                   capture_output=True, timeout=120, cwd=JS)
    return png
