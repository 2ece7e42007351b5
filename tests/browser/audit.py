"""axe-core, run in the browser on a page, at WCAG 2.2 AA; and the project's URL patterns by name."""

from __future__ import annotations

from urllib.parse import urlsplit

from axe_playwright_python.sync_playwright import Axe
from django.urls import Resolver404, URLResolver, get_resolver, resolve

# WCAG 2.0, 2.1 and 2.2 at levels A and AA (axe-core tags each rule with the level it belongs to).
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
_AXE = Axe()


def route_name(url: str) -> str | None:
    try:
        return resolve(urlsplit(url).path).view_name
    except Resolver404:
        return None


def named_routes(resolver=None, namespace: str | None = None) -> set[str]:
    """Every named URL pattern of the project, with its namespace ("journey:sign")."""
    names = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            names |= named_routes(pattern, inner)
        elif pattern.name:
            names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)
    return names


class AxeAudit:
    """Call it on each page (page, label); it runs axe there and remembers the violations and the route."""

    def __init__(self):
        self.violations: dict[str, list[str]] = {}
        self.routes: set[str] = set()
        self.labels: list[str] = []

    def __call__(self, page, label: str) -> None:
        page.wait_for_load_state("load")
        results = _AXE.run(
            page, options={"runOnly": {"type": "tag", "values": WCAG_22_AA}, "resultTypes": ["violations"]}
        ).response
        assert results["testEngine"]["name"] == "axe-core"
        self.labels.append(label)
        if name := route_name(page.url):
            self.routes.add(name)
        for violation in results["violations"]:
            nodes = "; ".join(" ".join(map(str, node["target"])) for node in violation["nodes"][:6])
            self.violations.setdefault(f"{label} ({urlsplit(page.url).path})", []).append(
                f"{violation['id']} [{violation['impact']}] {violation['help']}: {nodes}"
            )

    def report(self) -> str:
        return "\n".join(
            f"{label}:\n" + "\n".join(f"    {line}" for line in lines) for label, lines in self.violations.items()
        )

    def assert_clean(self, expected_routes: set[str]) -> None:
        assert not self.violations, f"axe found WCAG 2.2 AA violations:\n{self.report()}"
        missed = expected_routes - self.routes
        assert not missed, f"these routes were meant to be checked but were not reached: {sorted(missed)}"
