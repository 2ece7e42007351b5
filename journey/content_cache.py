"""Rendered fragments of the patient pages, kept per process and reused while nothing they show can differ.

A published procedure version never changes (procedures.immutable), so HTML drawn from it
alone is the same for every patient who sees it, in the same language, from the same
template. Patient pages render most of their cost in such fragments (the risk cards with
their tick boxes, the date-of-birth fields, each a crispy-forms field), so
`{% published_fragment %}` (journey.templatetags.content_cache) keeps each one, keyed by:

- the template file's own SHA-256 and the fragment's name, so a changed template is a new key;
- the version's content fingerprint (SHA-256 of the published snapshot), or nothing for a
  fragment that shows no content;
- the active language (`django.utils.translation.get_language()`), so a page in Spanish never
  gets the English fragment;
- every other value the fragment shows (the state of its tick boxes, its position).

Nothing is ever invalidated, because nothing a key names can change. A bound form (a POST,
which may carry errors and the patient's own input) and an unpublished draft (the admin's
preview) are always rendered afresh. The store is this process's memory (a LocMemCache of its
own, not the default cache: culling it must never evict the rate limits' counters).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from django.core.cache.backends.locmem import LocMemCache
from django.utils.translation import get_language

MAX_FRAGMENTS = 20_000  # a few KB each: some tens of MB at most per process
_fragments = LocMemCache("proceed-published-fragments", {"TIMEOUT": None, "OPTIONS": {"MAX_ENTRIES": MAX_FRAGMENTS}})


def template_digest(path: str | None) -> str:
    """SHA-256 of a template file, or "" when it can't be read (then the fragment is not cached)."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest() if path else ""
    except OSError:
        return ""


def published_fingerprint(version) -> str | None:
    """The fingerprint of a saved, published version; None for anything else (a preview's draft)."""
    fingerprint = getattr(version, "fingerprint", "")
    if not fingerprint or getattr(version, "pk", None) is None:
        return None
    return fingerprint


def fragment_key(template: str, name: str, fingerprint: str, vary: list) -> str:
    parts = [template, name, fingerprint, get_language() or "", *(str(value) for value in vary)]
    return "fragment:" + hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def get_or_render(key: str, render) -> str:
    html = _fragments.get(key)
    if html is None:
        html = render()
        _fragments.set(key, html)
    return html


def clear() -> None:
    """Forget every fragment (tests)."""
    _fragments.clear()
