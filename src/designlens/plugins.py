"""Plugin contracts (typing.Protocol) and entry-point discovery.

Built-in plugins register through the same entry-point groups as third-party ones,
so the core never imports a concrete extractor or exporter by name.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from designlens.errors import PluginError
from designlens.tokens import Token, TokenSet

if TYPE_CHECKING:
    from designlens.images import DecodedImage
    from designlens.relate.graph import Relationship, TokenGraph

GROUPS = {
    "extractors": "designlens.extractors",
    "aggregators": "designlens.aggregators",
    "analyzers": "designlens.analyzers",
    "exporters": "designlens.exporters",
}


@runtime_checkable
class Extractor(Protocol):
    """A pure function of pixels: one decoded image in, raw tokens (one image's provenance) out.

    `token_type` is what `--types` selects (color, layout, typography, ...). Raw token names
    start with their group (`color.…`, `spacing.…`), which picks the aggregator.
    """

    name: str
    version: str
    token_type: str

    def extract(self, image: DecodedImage, config: Mapping[str, Any]) -> list[Token]: ...


@runtime_checkable
class Aggregator(Protocol):
    """Merges one group's raw tokens (`token_type` = the name's first segment) across images."""

    token_type: str

    def aggregate(self, tokens: Sequence[Token], config: Mapping[str, Any]) -> list[Token]: ...


@runtime_checkable
class Analyzer(Protocol):
    """Finds relationships between tokens (contrast pairs, scales, roles, aliases)."""

    name: str

    def analyze(self, tokens: TokenSet) -> list[Relationship]: ...


@runtime_checkable
class Exporter(Protocol):
    """Renders the token set (and its graph) to the bytes of one file."""

    name: str
    file_name: str

    def export(self, tokens: TokenSet, graph: TokenGraph, options: Mapping[str, Any]) -> bytes: ...


_CONTRACTS: dict[str, type] = {
    "extractors": Extractor,
    "aggregators": Aggregator,
    "analyzers": Analyzer,
    "exporters": Exporter,
}


def source_fingerprint(*paths: str) -> str:
    """A short hash of a plugin's source files, for versions that must change with the code."""
    import hashlib
    from pathlib import Path

    digest = hashlib.sha256()
    for path in paths:
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()[:10]


@dataclass(frozen=True)
class LoadedPlugin:
    """A plugin as found: its entry point, the object, and its versions."""

    kind: str
    entry_name: str
    plugin: Any
    package: str
    package_version: str
    version: str


@dataclass(frozen=True)
class BrokenPlugin:
    """An entry point that could not be loaded; reported, never fatal."""

    kind: str
    entry_name: str
    error: str


def _load(kind: str, found: _Found) -> LoadedPlugin:
    ep = found.entry
    try:
        obj = ep.load()
        plugin = obj() if inspect.isclass(obj) else obj
    except Exception as exc:  # a third-party import can raise anything
        raise PluginError(f"{ep.group}:{ep.name}: failed to load ({type(exc).__name__}: {exc})") from exc
    if not isinstance(plugin, _CONTRACTS[kind]):
        raise PluginError(f"{ep.group}:{ep.name}: does not satisfy the {kind[:-1]} contract")
    return LoadedPlugin(
        kind=kind,
        entry_name=ep.name,
        plugin=plugin,
        package=found.package,
        package_version=found.package_version,
        version=str(getattr(plugin, "version", found.package_version)),
    )


@dataclass(frozen=True)
class _Found:
    """An entry point with its distribution's name and version, read once."""

    entry: EntryPoint
    package: str
    package_version: str


_SCANNED: dict[tuple[str, tuple[str, ...]], list[_Found]] = {}


def _scan(group: str) -> list[_Found]:
    """The group's entry points, sorted by name, once per import path.

    Scanning entry points and reading package metadata costs ~15 ms a group, a real share
    of a job served from the cache; a plugin put on sys.path is seen (tests, a venv added
    at run time), one pip-installed into a running process is not until it restarts.
    """
    key = (group, tuple(sys.path))
    if key not in _SCANNED:
        if len(_SCANNED) > 64:
            _SCANNED.clear()
        found = []
        for ep in sorted(entry_points(group=group), key=lambda e: e.name):
            dist = ep.dist
            found.append(_Found(ep, dist.name if dist else "?", dist.version if dist else "?"))
        _SCANNED[key] = found
    return _SCANNED[key]


def discover(kind: str) -> tuple[list[LoadedPlugin], list[BrokenPlugin]]:
    """Load every plugin of one kind; broken ones are returned apart, sorted by name.

    Each call makes new plugin objects (callers in different threads never share one).
    """
    if kind not in GROUPS:
        raise PluginError(f"unknown plugin kind {kind!r}")
    loaded: list[LoadedPlugin] = []
    broken: list[BrokenPlugin] = []
    for found in _scan(GROUPS[kind]):
        try:
            loaded.append(_load(kind, found))
        except PluginError as exc:
            broken.append(BrokenPlugin(kind, found.entry.name, str(exc)))
    return loaded, broken


def extractors() -> dict[str, Extractor]:
    """Loaded extractors by token type (the first by entry name wins a tie)."""
    out: dict[str, Extractor] = {}
    for p in discover("extractors")[0]:
        out.setdefault(p.plugin.token_type, p.plugin)
    return out


def aggregators() -> dict[str, Aggregator]:
    out: dict[str, Aggregator] = {}
    for p in discover("aggregators")[0]:
        out.setdefault(p.plugin.token_type, p.plugin)
    return out


def analyzers() -> list[Analyzer]:
    return [p.plugin for p in discover("analyzers")[0]]


def exporters() -> dict[str, Exporter]:
    out: dict[str, Exporter] = {}
    for p in discover("exporters")[0]:
        out.setdefault(p.plugin.name, p.plugin)
    return out


def settings(items: Sequence[str]) -> dict[str, dict[str, Any]]:
    """`TYPE.KEY=VALUE` pairs (VALUE as JSON, else text) as per-type config.

    The config of TYPE reaches the extractor of that token type and the aggregator of that
    token group (`layout` is an extractor, `spacing` an aggregator, `color` both), so KEY
    may be any setting either publishes in its `defaults`. Raises ValueError naming the
    problem: not that form, no plugin for TYPE, or a KEY neither publishes (a typo never
    passes silently; a plugin that publishes no `defaults` takes any key).
    """
    import json

    found_x = extractors() if items else {}
    found_a = aggregators() if items else {}
    config: dict[str, dict[str, Any]] = {}
    for item in items:
        target, sep, raw = item.partition("=")
        token_type, dot, key = target.strip().partition(".")
        if not sep or not dot or not key:
            raise ValueError(f"--set takes TYPE.KEY=VALUE, got {item!r}")
        plugins = [p for p in (found_x.get(token_type), found_a.get(token_type)) if p is not None]
        if not plugins:
            raise ValueError(f"--set {item!r}: no extractor or aggregator for {token_type!r}")
        published = [d for p in plugins if isinstance(d := getattr(p, "defaults", None), Mapping)]
        known = {k for d in published for k in d}
        if published and key not in known:
            raise ValueError(
                f"--set {item!r}: {token_type} has no setting {key!r} (have: {', '.join(sorted(known))})"
            )
        try:
            value = json.loads(raw)
        except ValueError:
            value = raw
        config.setdefault(token_type, {})[key] = value
    return config
