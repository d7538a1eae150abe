"""`designlens export TOKENS.json` re-exports without extracting; broken aliases fail clearly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from designlens.cli import app
from designlens.errors import AliasError
from designlens.pipeline import render_exports
from designlens.plugins import exporters
from designlens.relate.graph import TokenGraph
from designlens.tokens import Alias, Color, Token, TokenSet


def _write_dtcg(tokens: TokenSet, graph: TokenGraph, path: Path) -> Path:
    path.write_bytes(render_exports(tokens, graph, ["dtcg"])["tokens.json"])
    return path


def test_export_command_writes_every_format_from_a_dtcg_file(
    tokens: TokenSet, graph: TokenGraph, tmp_path: Path
) -> None:
    source = _write_dtcg(tokens, graph, tmp_path / "tokens.json")
    result = CliRunner().invoke(app, ["export", str(source), "--formats", "all", "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    written = {p.name for p in (tmp_path / "out").iterdir() if not p.name.startswith(".")}
    assert written == {e.file_name for e in exporters().values()}
    assert (tmp_path / "out/tokens.json").read_bytes() == source.read_bytes()  # a lossless round trip


def test_export_command_with_chosen_formats_writes_only_those(
    tokens: TokenSet, graph: TokenGraph, tmp_path: Path
) -> None:
    source = _write_dtcg(tokens, graph, tmp_path / "tokens.json")
    result = CliRunner().invoke(
        app, ["export", str(source), "--formats", "css,ts", "-o", str(tmp_path / "o")]
    )
    assert result.exit_code == 0, result.output
    assert {p.name for p in (tmp_path / "o").iterdir() if not p.name.startswith(".")} == {
        "tokens.css",
        "theme.ts",
    }


def test_export_command_names_the_broken_alias_chain(tmp_path: Path) -> None:
    document = {"color": {"text": {"$type": "color", "$value": "{color.neutral.900}"}}}
    source = tmp_path / "tokens.json"
    source.write_text(json.dumps(document))
    result = CliRunner().invoke(app, ["export", str(source), "--formats", "css", "-o", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "dangling alias: color.text -> {color.neutral.900}" in result.output
    assert not (tmp_path / "o").exists()


def test_export_command_rejects_an_unknown_format(
    tokens: TokenSet, graph: TokenGraph, tmp_path: Path
) -> None:
    source = _write_dtcg(tokens, graph, tmp_path / "tokens.json")
    result = CliRunner().invoke(app, ["export", str(source), "--formats", "pdf", "-o", str(tmp_path / "o")])
    assert result.exit_code == 2 and "unknown format" in result.output


@pytest.mark.parametrize("fmt", sorted(exporters()))
def test_every_exporter_refuses_an_alias_cycle_and_names_it(fmt: str) -> None:
    tokens = TokenSet(
        [
            Token("color.a", "color", Alias("color.b")),
            Token("color.b", "color", Alias("color.a")),
            Token("color.c", "color", Color("#ffffff")),
        ]
    )
    with pytest.raises(AliasError, match=r"alias cycle: color\.a -> color\.b -> color\.a"):
        render_exports(tokens, TokenGraph(), [fmt])


def test_semantic_roles_become_alias_tokens_in_tokens_json(tokens: TokenSet, graph: TokenGraph) -> None:
    document = json.loads(render_exports(tokens, graph, ["dtcg"])["tokens.json"])
    text = document["color"]["text"]["default"]
    assert text["$value"] == "{color.gray.900}" and text["$type"] == "color"
    assert "WCAG" in text["$extensions"]["designlens"]["evidence"]
