"""Source adapters: turn what the user names (paths, directories, globs) into image references."""

from designlens.sources.files import ImageRef, resolve_paths

__all__ = ["ImageRef", "resolve_paths"]
