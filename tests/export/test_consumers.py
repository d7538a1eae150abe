"""Each export accepted by the real tool that consumes it (and each probe shown to bite)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import tinycss2
from referencing import Registry, Resource

from designlens.export.css import variable_name
from designlens.export.typescript import ts_value
from designlens.relate.aliases import resolve
from designlens.tokens import TokenSet
from tests.export.conftest import BIN, TOOLS, fails, run

SCHEMA_DIR = Path(__file__).parent / "dtcg-schema"


# ------------------------------------------------------------------ tokens.json


def _dtcg_validator() -> jsonschema.Draft7Validator:
    resources = []
    for path in SCHEMA_DIR.rglob("*.json"):
        schema = json.loads(path.read_text())
        resources.append((schema["$id"], Resource.from_contents(schema)))
    registry: Registry[Any] = Registry().with_resources(resources)
    root = json.loads((SCHEMA_DIR / "format.json").read_text())
    return jsonschema.Draft7Validator(root, registry=registry)


def _leaves(node: dict[str, Any], path: str = "") -> list[tuple[str, dict[str, Any]]]:
    out = []
    for key, child in node.items():
        if key.startswith("$") or not isinstance(child, dict):
            continue
        name = f"{path}.{key}" if path else key
        out += [(name, child)] if "$value" in child else _leaves(child, name)
    return out


def test_tokens_json_is_valid_against_the_official_dtcg_schemas_with_type_on_every_token(
    exported: Path,
) -> None:
    document = json.loads((exported / "tokens.json").read_text())
    validator = _dtcg_validator()
    assert list(validator.iter_errors(document)) == []
    leaves = _leaves(document)
    assert len(leaves) >= 40 and all("$type" in token for _, token in leaves)
    broken = json.loads(json.dumps(document))
    broken["color"]["white"]["$value"] = {"colorSpace": "srgb", "components": [2, 0, 0]}
    assert list(validator.iter_errors(broken)), "the schema check must reject an out-of-range component"


TERRAZZO_CONFIG = 'export default { tokens: ["./tokens.json"], outDir: "./tz-out/", plugins: [] };\n'


def test_terrazzo_check_accepts_tokens_json_with_a_config_and_rejects_a_broken_alias(exported: Path) -> None:
    (exported / "terrazzo.config.mjs").write_text(TERRAZZO_CONFIG)
    out = run([str(BIN / "tz"), "check", "tokens.json", "--config", "terrazzo.config.mjs"], exported)
    assert "No errors" in out.stdout + out.stderr
    document = json.loads((exported / "tokens.json").read_text())
    document["color"]["link"]["$value"] = "{color.nowhere.900}"
    (exported / "tokens.json").write_text(json.dumps(document))
    said = fails([str(BIN / "tz"), "check", "tokens.json", "--config", "terrazzo.config.mjs"], exported)
    assert "color.nowhere.900" in said


# ------------------------------------------------------------------ Style Dictionary


def test_style_dictionary_builds_css_scss_and_js_from_tokens_json_with_warnings_as_errors(
    exported: Path,
) -> None:
    config = json.loads((exported / "style-dictionary.config.json").read_text())
    assert config["log"]["warnings"] == "error"
    run([str(BIN / "style-dictionary"), "build", "--config", "style-dictionary.config.json"], exported)
    css = (exported / "build/css/variables.css").read_text()
    assert "--color-link: var(--color-blue-700);" in css
    assert "--color-text-default: var(--color-gray-900);" in css
    assert "--typography-heading-letter-spacing: -0.2px;" in css
    assert "$color-gray-900: #111827;" in (exported / "build/scss/_variables.scss").read_text()
    assert 'export const ColorGray900 = "#111827";' in (exported / "build/js/tokens.js").read_text()


# ------------------------------------------------------------------ tokens.css


def test_tokens_css_parses_cleanly_and_declares_one_property_per_token(
    exported: Path, tokens: TokenSet
) -> None:
    rules = tinycss2.parse_stylesheet(
        (exported / "tokens.css").read_text(), skip_comments=True, skip_whitespace=True
    )
    assert [r.type for r in rules] == ["qualified-rule"]
    declarations = [
        d for d in tinycss2.parse_blocks_contents(rules[0].content, skip_whitespace=True, skip_comments=True)
    ]
    assert all(d.type == "declaration" for d in declarations), [d for d in declarations if d.type == "error"]
    names = {d.name for d in declarations}
    for token in tokens:
        var = variable_name(token.name)
        assert var in names or f"{var}-font-size" in names, token.name


def test_chromium_computes_the_values_of_tokens_css_including_aliases(exported: Path, page: Any) -> None:
    (exported / "probe.html").write_text(
        '<!doctype html><link rel="stylesheet" href="tokens.css">'
        '<div id="p" style="color: var(--color-link); background: var(--color-text-default);'
        " box-shadow: var(--shadow-md); font-size: var(--typography-heading-font-size);"
        ' padding: var(--spacing-4); border-radius: var(--radius-sm)">x</div>'
    )
    page.goto((exported / "probe.html").as_uri())
    got = page.evaluate("""() => { const s = getComputedStyle(document.getElementById('p'));
        return [s.color, s.backgroundColor, s.boxShadow, s.fontSize, s.paddingTop,
                s.borderTopLeftRadius]; }""")
    assert got == [
        "rgb(29, 78, 216)",
        "rgb(17, 24, 39)",
        "rgba(17, 24, 39, 0.4) 0px 4px 6px -1px, rgba(0, 0, 0, 0.06) 0px 1px 0px 1px inset",
        "24px",
        "16px",
        "4px",
    ]
    assert page.problems == []


# ------------------------------------------------------------------ _tokens.scss


def test_sass_compiles_a_probe_that_uses_every_variable(exported: Path, tokens: TokenSet) -> None:
    names = re.findall(r"^\$([\w-]+):", (exported / "_tokens.scss").read_text(), flags=re.M)
    assert len(names) > len(tokens)
    lines = ['@use "sass:meta";', '@use "sass:map";', '@use "tokens" as t;', ".probe {"]
    lines += [f"  --{n}: #{{meta.inspect(t.${n})}};" for n in names]
    lines += ["  font-size: map.get(t.$typography-heading, font-size);", "  box-shadow: t.$shadow-md;", "}"]
    (exported / "probe.scss").write_text("\n".join(lines) + "\n")
    out = run([str(BIN / "sass"), "--no-source-map", "probe.scss"], exported).stdout
    assert "font-size: 1.5rem;" in out
    assert "box-shadow: 0 4px 6px -1px rgba(17, 24, 39, 0.4)" in out
    (exported / "bad.scss").write_text('@use "tokens" as t;\n.x { color: t.$color-nowhere; }\n')
    assert "Undefined variable" in fails([str(BIN / "sass"), "bad.scss"], exported)


# ------------------------------------------------------------------ Tailwind


_UTILITY = {
    "color": "bg",
    "spacing": "p",
    "radius": "rounded",
    "text": "text",
    "font-weight": "font",
    "font": "font",
    "leading": "leading",
    "tracking": "tracking",
    "shadow": "shadow",
}


def _utility(namespace: str, key: str) -> str:
    return f"{_UTILITY[namespace]}-{key}"


def _v4_utilities(theme_css: str) -> list[str]:
    block = theme_css.split("@theme {", 1)[1].split("}", 1)[0]
    out = []
    for var in re.findall(r"^\s*--([\w-]+):", block, flags=re.M):
        if "--" in var:
            continue  # --text-x--line-height: a modifier of --text-x, not a utility
        namespace = next(n for n in sorted(_UTILITY, key=len, reverse=True) if var.startswith(n + "-"))
        out.append(_utility(namespace, var[len(namespace) + 1 :]))
    return out


def test_tailwind_v4_compiles_a_probe_applying_one_utility_per_theme_token(
    exported: Path, tokens: TokenSet
) -> None:
    utilities = _v4_utilities((exported / "tailwind.css").read_text())
    assert len(utilities) >= len(tokens)
    (exported / "probe.css").write_text(
        '@import "./tailwind.css";\n.probe { @apply ' + " ".join(utilities) + "; }\n"
    )
    run([str(BIN / "tailwindcss"), "-i", "probe.css", "-o", "out.css"], exported)
    out = (exported / "out.css").read_text()
    assert "--color-text-default: var(--color-gray-900);" in out
    assert "font-size: var(--text-heading);" in out
    (exported / "bad.css").write_text('@import "./tailwind.css";\n.probe { @apply bg-nowhere-900; }\n')
    assert "bg-nowhere-900" in fails(
        [str(BIN / "tailwindcss"), "-i", "bad.css", "-o", "bad-out.css"], exported
    )


def test_tailwind_v3_config_is_loaded_and_every_theme_key_is_a_working_utility(exported: Path) -> None:
    text = (exported / "tailwind.config.js").read_text()
    config = json.loads(text.split("module.exports = ", 1)[1].rstrip().rstrip(";"))
    v3_namespace = {
        "colors": "color",
        "spacing": "spacing",
        "borderRadius": "radius",
        "fontSize": "text",
        "fontWeight": "font-weight",
        "fontFamily": "font",
        "lineHeight": "leading",
        "letterSpacing": "tracking",
        "boxShadow": "shadow",
    }
    utilities = [
        _utility(v3_namespace[section], key)
        for section, entries in config["theme"]["extend"].items()
        for key in entries
    ]
    assert len(utilities) > 40
    (exported / "probe3.css").write_text(
        '@import "tailwindcss";\n@config "./tailwind.config.js";\n'
        ".probe { @apply " + " ".join(utilities) + "; }\n"
    )
    run([str(BIN / "tailwindcss"), "-i", "probe3.css", "-o", "out3.css"], exported)
    out = (exported / "out3.css").read_text()
    assert "background-color: #111827;" in out and "font-size: 1.5rem;" in out


# ------------------------------------------------------------------ theme.ts


def _ts_literal(value: Any) -> str:
    return json.dumps(value)


def test_tsc_strict_accepts_a_probe_that_reads_every_token_at_its_literal_type(
    exported: Path, tokens: TokenSet
) -> None:
    from designlens.export._common import prepare
    from designlens.pipeline import relate

    full = prepare(tokens, relate(tokens))
    checks = []

    def access(name: str) -> str:
        return "theme" + "".join(f"[{json.dumps(part)}]" for part in name.split("."))

    def walk(expr: str, value: Any) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(f"{expr}[{json.dumps(k)}]", v)
        elif isinstance(value, list):
            for i, v in enumerate(value):
                walk(f"{expr}[{i}]", v)
        else:
            checks.append(f"const v{len(checks)}: {_ts_literal(value)} = {expr};")

    for token in full:
        walk(access(token.name), ts_value(resolve(full, token.name)))
    checks.append('const name: TokenName = "color.text.default";')
    checks.append('const live: "var(--color-link)" = cssVar["color.link"];')
    (exported / "probe.ts").write_text(
        'import { theme, cssVar, type TokenName } from "./theme";\n' + "\n".join(checks) + "\nexport {};\n"
    )
    run(
        [
            str(BIN / "tsc"),
            "--noEmit",
            "--strict",
            "--module",
            "esnext",
            "--moduleResolution",
            "bundler",
            "--target",
            "es2022",
            "probe.ts",
        ],
        exported,
    )
    (exported / "bad.ts").write_text(
        'import { theme } from "./theme";\nexport const x: "#000000" = theme.color.gray["900"];\n'
    )
    said = fails(
        [
            str(BIN / "tsc"),
            "--noEmit",
            "--strict",
            "--module",
            "esnext",
            "--moduleResolution",
            "bundler",
            "--target",
            "es2022",
            "bad.ts",
        ],
        exported,
    )
    assert '"#111827"' in said


# ------------------------------------------------------------------ tokens-studio.json


def test_style_dictionary_with_sd_transforms_builds_tokens_studio_json(exported: Path) -> None:
    run(
        [
            "node",
            str(TOOLS / "build-tokens-studio.mjs"),
            str(exported / "tokens-studio.json"),
            str(exported / "studio") + "/",
        ],
        TOOLS,
    )
    css = (exported / "studio/variables.css").read_text()
    assert "--color-text-default: #111827;" in css
    assert "--color-scrim: rgba(17, 24, 39, 0.4);" in css  # alpha survives
    assert "--typography-heading-letter-spacing: -0.2px;" in css
    assert "--shadow-md: 0 4px 6px -1px rgba(17, 24, 39, 0.4), inset 0 1px 0 1px rgba(0, 0, 0, 0.06);" in css


@pytest.mark.parametrize("broken", ["{color.nowhere}"])
def test_sd_transforms_build_fails_on_a_broken_reference(exported: Path, broken: str) -> None:
    document = json.loads((exported / "tokens-studio.json").read_text())
    document["designlens"]["color"]["link"]["value"] = broken
    (exported / "tokens-studio.json").write_text(json.dumps(document))
    said = fails(
        [
            "node",
            str(TOOLS / "build-tokens-studio.mjs"),
            str(exported / "tokens-studio.json"),
            str(exported / "studio") + "/",
        ],
        TOOLS,
    )
    assert "color.nowhere" in said
