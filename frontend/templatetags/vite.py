"""`{% vite_entry "pages/x.ts" %}`: script and CSS tags of a Vite entry, read from the manifest.

Vite (vite.config.ts) builds frontend/ts/pages/*.ts into frontend/static/frontend/build/ and
writes .vite/manifest.json there. The manifest is re-read whenever its file changes.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

from django import template
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.templatetags.static import static
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_lock = threading.Lock()
_cache: dict[str, object] = {"mtime": None, "manifest": None}


class ViteBuildMissing(ImproperlyConfigured):
    """The front end was not built, or the entry is not in the build."""


def _manifest_path() -> Path:
    return Path(settings.VITE_MANIFEST_PATH)


def load_manifest() -> dict:
    path = _manifest_path()
    try:
        mtime = path.stat().st_mtime_ns
    except FileNotFoundError:
        raise ViteBuildMissing(
            f"The front-end build is missing: {path} does not exist. "
            "Run `npm ci && npm run build` (or `make run`) to build it."
        ) from None
    with _lock:
        if _cache["mtime"] != mtime:
            try:
                manifest = json.loads(path.read_text(encoding="utf-8"))
            except json.JSONDecodeError as exc:
                raise ViteBuildMissing(
                    f"The Vite manifest {path} is not valid JSON (line {exc.lineno}): "
                    "rebuild with `npm run build`."
                ) from exc
            _cache["manifest"] = manifest
            _cache["mtime"] = mtime
        return _cache["manifest"]  # type: ignore[return-value]


def _asset_url(file: str) -> str:
    return static(f"frontend/build/{file}")


def _collect(manifest: dict, key: str, seen: set[str], css: list[str], preload: list[str]):
    if key in seen:
        return
    seen.add(key)
    chunk = manifest[key]
    for css_file in chunk.get("css", []):
        if css_file not in css:
            css.append(css_file)
    for imported in chunk.get("imports", []):
        if imported in manifest:
            imported_file = manifest[imported]["file"]
            if imported_file not in preload:
                preload.append(imported_file)
            _collect(manifest, imported, seen, css, preload)


def entry_tags(entry: str) -> SafeString:
    manifest = load_manifest()
    if entry not in manifest:
        known = sorted(k for k, v in manifest.items() if v.get("isEntry"))
        raise ViteBuildMissing(
            f"Vite entry {entry!r} is not in {_manifest_path()}. Known entries: "
            f"{', '.join(known) or 'none'}. Add frontend/ts/{entry} and run `npm run build`."
        )
    css: list[str] = []
    preload: list[str] = []
    _collect(manifest, entry, set(), css, preload)
    parts = [
        format_html_join(
            "", '<link rel="stylesheet" href="{}">\n', ((_asset_url(c),) for c in css)
        ),
        format_html_join(
            "", '<link rel="modulepreload" href="{}">\n', ((_asset_url(p),) for p in preload)
        ),
        format_html(
            '<script type="module" src="{}"></script>', _asset_url(manifest[entry]["file"])
        ),
    ]
    return mark_safe("".join(str(p) for p in parts))


@register.simple_tag
def vite_entry(entry: str) -> SafeString:
    """Emit <link rel="stylesheet"> and <script type="module"> tags for a Vite entry.

    `entry` is relative to frontend/ts/, e.g. "pages/playground.ts".
    """
    return entry_tags(entry)
