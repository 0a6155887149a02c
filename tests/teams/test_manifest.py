"""`rapidreview manifest teams --out FILE.zip` builds a package Teams accepts for sideloading."""
from __future__ import annotations

import json
import struct
import zipfile
import zlib

from adapters.teams.package import SOURCES, color_icon, outline_icon
from server.cli import main
from bot.grammar import SPECS

BOT = "a1b2c3d4-0000-4000-8000-00000000b007"


def size_of(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", png[16:24])


def pixels(png: bytes) -> list[tuple[int, int, int, int]]:
    width, height = size_of(png)
    data, pos = b"", 8
    while pos < len(png):
        length = struct.unpack(">I", png[pos:pos + 4])[0]
        if png[pos + 4:pos + 8] == b"IDAT":
            data += png[pos + 8:pos + 8 + length]
        pos += 12 + length
    raw = zlib.decompress(data)
    stride = 1 + 4 * width
    return [tuple(raw[r * stride + 1 + 4 * i: r * stride + 5 + 4 * i]) for r in range(height) for i in range(width)]


def test_the_package_holds_a_current_manifest_and_both_icons(tmp_path, capsys):
    out = tmp_path / "rapidreview-teams.zip"
    assert main(["manifest", "teams", "--out", str(out), "--bot-id", BOT, "--version", "1.2.3"]) == 0
    assert "manifest 1.22" in capsys.readouterr().out
    with zipfile.ZipFile(out) as z:
        assert sorted(z.namelist()) == ["color.png", "manifest.json", "outline.png"]
        m = json.loads(z.read("manifest.json"))
        color, outline = z.read("color.png"), z.read("outline.png")
    assert m["manifestVersion"] == "1.22" and m["$schema"].endswith("/v1.22/MicrosoftTeams.schema.json")
    assert m["id"] == BOT and m["version"] == "1.2.3" and m["bots"][0]["botId"] == BOT
    assert "{{" not in json.dumps(m)
    assert len(m["name"]["short"]) <= 30 and len(m["description"]["short"]) <= 80 and len(m["description"]["full"]) <= 4000
    assert {"name": "ChannelMessage.Read.Group", "type": "Application"} in m["authorization"]["permissions"]["resourceSpecific"]
    assert m["webApplicationInfo"]["id"] == BOT
    assert size_of(color) == (192, 192) and size_of(outline) == (32, 32)
    # The outline icon is white on transparent, as Teams requires.
    alphas = {p[3] for p in pixels(outline)}
    assert {p[:3] for p in pixels(outline)} == {(255, 255, 255)} and 0 in alphas and 255 in alphas
    assert min(p[3] for p in pixels(color)) == 255


def test_the_command_lists_offer_real_commands():
    m = json.loads((SOURCES / "manifest.json").read_text())
    for command_list in m["bots"][0]["commandLists"]:
        assert len(command_list["commands"]) <= 10
        for c in command_list["commands"]:
            assert c["title"] in SPECS or c["title"] == "watch"
            assert len(c["title"]) <= 32 and len(c["description"]) <= 128


def test_the_committed_icons_are_the_ones_the_package_draws():
    assert (SOURCES / "color.png").read_bytes() == color_icon()
    assert (SOURCES / "outline.png").read_bytes() == outline_icon()


def test_a_wrong_bot_id_is_refused_with_a_reason(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID", raising=False)
    assert main(["manifest", "teams", "--out", str(tmp_path / "x.zip"), "--bot-id", "not-a-guid"]) == 2
    assert "not an Entra app id" in capsys.readouterr().err
    assert main(["manifest", "teams", "--out", str(tmp_path / "x.zip")]) == 2
    assert not (tmp_path / "x.zip").exists()
