"""Checks that every browser test can run on the page in front of it.

The page crawler (`test_crawl.py`) runs them on every page; a feature's own browser tests run
them on the states only they reach (an open formula, a trained network, a dark theme).

    axe_violations(page, impacts=("critical", "serious"))  axe-core's violations of those impacts
    format_violations(violations)                          one readable line per rule and node
    sideways_overflow(page)                                px the document is wider than the window
    watch_csp(context_or_page)                             record CSP violations from now on
    csp_violations(page)                                   the violations recorded on this page
    sentinel_fired(page, name)                             True if a payload set window[name]

axe-core comes from node_modules (the npm package, pinned in package.json) and is injected
into the page under test; nothing is loaded from the network.
"""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
AXE_JS = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"

BLOCKING_IMPACTS = ("critical", "serious")


def axe_violations(
    page, impacts: tuple[str, ...] = BLOCKING_IMPACTS, rules: list[str] | None = None
) -> list[dict]:
    """Run axe-core on the page as it is now; return the violations of the given impacts
    (only of ``rules``, axe rule ids, when given)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, not added as a <script>: the pages' content
        # security policy allows no inline script, and the check must not need an exception.
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async (rules) => {
            const options = {resultTypes: ['violations']};
            if (rules) options.runOnly = {type: 'rule', values: rules};
            const r = await window.axe.run(document, options);
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary}))
            }));
        }""",
        rules,
    )
    return [v for v in result if v["impact"] in impacts]


def format_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        for node in v["nodes"]:
            lines.append(f"{v['impact']} {v['id']} at {node['target']}: {v['help']}")
    return "\n".join(lines)


def sideways_overflow(page) -> int:
    """How many CSS px the page scrolls sideways (0 when it fits the window)."""
    return page.evaluate(
        "() => Math.max(0, document.documentElement.scrollWidth - window.innerWidth)"
    )


CSP_LISTENER = """
window.__nnwebCsp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__nnwebCsp.push({directive: e.effectiveDirective, blocked: e.blockedURI,
                          source: e.sourceFile, line: e.lineNumber, sample: e.sample});
});
"""


def watch_csp(target) -> None:
    """Record every Content-Security-Policy violation of the pages ``target`` (a Playwright
    page or browser context) loads from now on. Call before ``page.goto``."""
    target.add_init_script(CSP_LISTENER)


def csp_violations(page) -> list[dict]:
    """The CSP violations recorded on the page (needs :func:`watch_csp` before it loaded)."""
    return page.evaluate("() => window.__nnwebCsp || []")


def sentinel_fired(page, name: str = "__nnwebXss") -> bool:
    """True when a stored script payload (``window[name] = 1``) ran on the page."""
    return bool(page.evaluate(f"() => Boolean(window[{name!r}])"))


def widest_elements(page, limit: int = 5) -> list[str]:
    """The elements that reach furthest past the window's right edge, as 'tag#id.class: px',
    so a sideways-scrolling page says which element to fix."""
    return page.evaluate(
        """(limit) => {
            const w = window.innerWidth, out = [];
            for (const el of document.querySelectorAll('body *')) {
                const r = el.getBoundingClientRect();
                if (r.right > w + 0.5 && r.width > 0) {
                    const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                        [...el.classList].map(c => '.' + c).join('');
                    out.push([r.right - w, name]);
                }
            }
            out.sort((a, b) => b[0] - a[0]);
            return out.slice(0, limit).map(([px, name]) => `${name}: ${Math.round(px)}px`);
        }""",
        limit,
    )
