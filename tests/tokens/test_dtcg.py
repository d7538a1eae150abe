"""TokenSet <-> DTCG 2025.10: lossless both ways, valid against the official schemas."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from referencing import Registry, Resource

from designlens.errors import TokenFormatError
from designlens.tokens import (
    Alias,
    Color,
    Dimension,
    Provenance,
    Shadow,
    ShadowLayer,
    Token,
    TokenSet,
    Typography,
)
from designlens.tokens.dtcg import dumps, loads, to_dtcg

# The official DTCG 2025.10 schemas, vendored with the tests (shared/dtcg-schema is their source).
SCHEMA_DIR = Path(__file__).resolve().parents[1] / "export" / "dtcg-schema"


def every_kind() -> TokenSet:
    prov = (Provenance("a" * 64, "home.png", 1200, 0.0117, (10, 20, 300, 40)),)
    return TokenSet(
        [
            Token("color.blue.500", "color", Color("#2563eb"), "Primary", 0.93, prov,
                  {"share": 0.0117, "oklch": [0.546, 0.215, 262.9]}),
            Token("color.white", "color", Color("#ffffff", 0.5)),
            Token("color.primary", "color", Alias("color.blue.500")),
            Token("spacing.1", "dimension", Dimension(4)),
            Token("spacing.1_5", "dimension", Dimension(0.375, "rem")),
            Token("font.family.sans", "fontFamily", ("Inter", "system-ui", "sans-serif")),
            Token("font.family.mono", "fontFamily", "monospace"),
            Token("font.weight.bold", "fontWeight", 700),
            Token("font.size.body", "dimension", Dimension(16)),
            Token("scale.ratio", "number", 1.25),
            Token("typography.body", "typography",
                  Typography(Alias("font.family.sans"), Alias("font.size.body"), Alias("font.weight.bold"),
                             1.5, Dimension(0.2))),
            Token("typography.caption", "typography",
                  Typography(("Inter", "sans-serif"), Dimension(12), 400, 1.333)),
            Token("shadow.1", "shadow", Shadow((
                ShadowLayer(Color("#000000", 0.15), Dimension(0), Dimension(8), Dimension(16), Dimension(0)),
                ShadowLayer(Alias("color.blue.500"), Dimension(0), Dimension(1), Dimension(2), Dimension(-1),
                            inset=True),
            ))),
        ]
    )


def test_reading_a_written_document_gives_the_same_token_set() -> None:
    tokens = every_kind()
    assert loads(dumps(tokens)) == tokens


def test_same_token_set_serialises_to_identical_bytes() -> None:
    assert dumps(every_kind()) == dumps(every_kind())


def test_colors_are_written_as_color_space_components_alpha_hex() -> None:
    doc = to_dtcg(every_kind())
    assert doc["color"]["blue"]["500"]["$value"] == {
        "colorSpace": "srgb",
        "components": [0.145098, 0.388235, 0.921569],
        "alpha": 1.0,
        "hex": "#2563eb",
    }
    assert doc["spacing"]["1"]["$value"] == {"value": 4, "unit": "px"}
    meta = doc["color"]["blue"]["500"]["$extensions"]["designlens"]
    assert meta["confidence"] == 0.93 and meta["provenance"][0]["region"] == [10, 20, 300, 40]


def _validator() -> jsonschema.protocols.Validator:
    resources = []
    for path in SCHEMA_DIR.rglob("*.json"):
        schema = json.loads(path.read_text())
        resources.append((schema.get("$id", path.as_uri()), Resource.from_contents(schema)))
    registry: Registry[Any] = Registry().with_resources(resources)
    root = json.loads((SCHEMA_DIR / "format.json").read_text())
    cls = jsonschema.validators.validator_for(root)
    return cls(root, registry=registry)


def test_written_document_is_valid_against_the_official_dtcg_schemas() -> None:
    validator = _validator()
    errors = list(validator.iter_errors(json.loads(dumps(every_kind()))))
    assert errors == []


def test_schema_check_catches_a_broken_color_so_the_test_above_can_fail() -> None:
    doc = json.loads(dumps(every_kind()))
    doc["color"]["blue"]["500"]["$value"]["components"] = "not-a-list"
    assert list(_validator().iter_errors(doc))


def test_token_that_is_also_a_group_is_refused_with_both_names() -> None:
    tokens = TokenSet([Token("spacing.1", "dimension", Dimension(4)),
                       Token("spacing.1.half", "dimension", Dimension(2))])
    with pytest.raises(TokenFormatError, match=r"spacing\.1"):
        dumps(tokens)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ('{"a": {"$type": "color", "$value": {"colorSpace": "srgb", "hex": "#zzzzzz"}}}', "a: bad color"),
        ('{"a": {"$type": "wobble", "$value": 1}}', "a: unsupported"),
        ('{"g": {"b": {"$type": "dimension", "$value": {"value": 1, "unit": "em"}}}}', "g.b: bad dimension"),
        ("[1, 2]", "JSON object"),
        ("{not json", "not JSON"),
    ],
)
def test_malformed_documents_raise_token_format_error_naming_the_token(document: str, message: str) -> None:
    with pytest.raises(TokenFormatError, match=message):
        loads(document)


def test_group_type_is_inherited_when_reading_other_tools_files() -> None:
    tokens = loads('{"space": {"$type": "dimension", "sm": {"$value": {"value": 4, "unit": "px"}}}}')
    assert tokens["space.sm"].value == Dimension(4)
