"""Checks that every browser test can run on the page in front of it.

The page crawler (`test_crawl.py`) runs them on every page; a feature's own browser tests run
them on the states only they reach (an open formula, a trained network, a dark theme).

    axe_violations(page, impacts=("critical", "serious"))  axe-core's violations of those impacts
                                                           (see SAME_CONTRAST_JS for formulas)
    format_violations(violations)                          one readable line per rule and node
    sideways_overflow(page)                                px the document is wider than the window
    watch_pending(context)                                 count a page's unfinished work from now
    settled(page)                                          wait until that work is done and painted
    painted(page)                                          wait for two animation frames
    watch_csp(context_or_page)                             record CSP violations from now on
    csp_violations(page)                                   the violations recorded on this page
    sentinel_fired(page, name)                             True if a payload set window[name]

axe-core comes from node_modules (the npm package, pinned in package.json) and is injected
into the page under test; nothing is loaded from the network.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeout

REPO_ROOT = Path(__file__).resolve().parents[2]
AXE_JS = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"

BLOCKING_IMPACTS = ("critical", "serious")


def axe_violations(
    page, impacts: tuple[str, ...] = BLOCKING_IMPACTS, rules: list[str] | None = None
) -> list[dict]:
    """Run axe-core on the page as it is now; return the violations of the given impacts
    (only of ``rules``, axe rule ids, when given)."""
    # Into every frame: axe checks an embedded page (a lesson's guided playground) through
    # the axe of that frame, and without one it waits half a second for an answer
    # (pingWaitTime) and leaves the frame unchecked.
    for frame in page.frames:
        if not frame.evaluate("() => typeof window.axe !== 'undefined'"):
            # Evaluated through the DevTools protocol, not added as a <script>: the pages'
            # content security policy allows no inline script, and the check must not need
            # an exception.
            frame.evaluate(AXE_JS.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async ([rules, impacts, sameContrast]) => {"
        + SAME_CONTRAST_JS
        + RULES_THAT_CAN_REPORT_JS
        + """
            const options = {resultTypes: ['violations']};
            options.runOnly = {type: 'rule', values: rules || rulesThatCanReport(impacts)};
            markSameContrast();
            try {
                const r = await window.axe.run(document, options);
                return r.violations.map(v => ({
                    id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.map(n => ({
                        target: n.target.join(' '), summary: n.failureSummary}))
                }));
            } finally {
                for (const e of document.querySelectorAll(`[${sameContrast}]`))
                    e.removeAttribute(sameContrast);
            }
        }""",
        [rules, list(impacts), SAME_CONTRAST_ATTR],
    )
    return [v for v in result if v["impact"] in impacts]


# The rules axe runs by default that can report a violation of one of the given impacts. A
# rule's impact is its own where it states one, and otherwise the highest of its failing
# checks' (axe's aggregation), so a rule whose checks are all "moderate" or "minor" ("region",
# the landmark rules, "heading-order"...) never reports a blocking violation: leaving it out
# changes no verdict, and axe takes 11-16 % less time on a page without formulas. The rules are
# read from the running axe, so an axe-core upgrade brings its own.
RULES_THAT_CAN_REPORT_JS = """
    const rulesThatCanReport = (impacts) => {
        const rank = (impact) => ['minor', 'moderate', 'serious', 'critical'].indexOf(impact);
        const floor = Math.min(...impacts.map(rank));
        const checkImpact = (c) => window.axe._audit.checks[c.id || c]?.metadata?.impact;
        return window.axe._audit.rules.filter((rule) => {
            if (rule.enabled === false || rule.tags.includes('experimental')) return false;
            const impacts = rule.impact ? [rule.impact]
                : [...rule.any, ...rule.all, ...rule.none].map(checkImpact);
            return Math.max(...impacts.map(rank)) >= floor;
        }).map((rule) => rule.id);
    };
"""


# A formula drawn by KaTeX is hundreds of <span>s (the lessons hold 20,000 of them), and axe's
# colour-contrast rule, the costliest by far, looks at each on its own. Where the spans of one
# formula provably share one verdict, one span stands for the others. The formula's spans draw
# no background, shadow, filter or blend of their own and none is translucent, so every glyph
# of one colour is painted in that colour on whatever lies behind the formula: one contrast
# ratio. axe judges it against 4.5:1, or 3:1 for large text (24 px, or 18.67 px bold), so the
# glyphs of one colour and one size class share one verdict, and one of them is checked: one
# with at least two letters or digits, as axe judges no text shorter than two characters (it
# reports those as "too short to tell"). The other spans are left out of that rule only (every
# other rule sees them all); a class with no such span keeps all its spans in, and a formula
# that breaks a condition (a \colorbox, a translucent part) is checked span by span.
SAME_CONTRAST_ATTR = "data-axe-same-contrast"
SAME_CONTRAST_JS = """
    const markSameContrast = () => {
        const plain = (s) => (s.backgroundColor === 'rgba(0, 0, 0, 0)' || s.backgroundColor ===
            'transparent') && s.backgroundImage === 'none' && s.opacity === '1' &&
            s.textShadow === 'none' && s.filter === 'none' && s.mixBlendMode === 'normal';
        const ownText = (e) => [...e.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE)
            .map((n) => n.textContent).join('').trim();
        const large = (s) => parseFloat(s.fontSize) >= 24 ||
            (parseFloat(s.fontSize) >= 18.66 && parseInt(s.fontWeight, 10) >= 700);
        for (const formula of document.querySelectorAll('.katex-html')) {
            const spans = [formula, ...formula.querySelectorAll('*')];
            const styles = spans.map((e) => getComputedStyle(e));
            if (!styles.every(plain)) continue;
            const judged = new Map();  // colour and size class -> the span checked for them
            const unsure = new Set();  // classes with text axe may judge but no sure span
            spans.forEach((e, k) => {
                const text = ownText(e);
                if (text.length < 2) return;  // never judged by axe
                const key = styles[k].color + (large(styles[k]) ? ' large' : '');
                if ((text.match(/[A-Za-z0-9]/g) || []).length >= 2) {
                    if (!judged.has(key)) judged.set(key, k);
                } else unsure.add(key);
            });
            const keep = new Set(judged.values());
            spans.forEach((e, k) => {
                const key = styles[k].color + (large(styles[k]) ? ' large' : '');
                if (!keep.has(k) && !(unsure.has(key) && !judged.has(key)))
                    e.setAttribute(sameContrast, '');
            });
        }
        window.axe.configure({rules: [
            {id: 'color-contrast', selector: `*:not([${sameContrast}])`}]});
    };
"""


def format_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        for node in v["nodes"]:
            lines.append(f"{v['impact']} {v['id']} at {node['target']}: {v['help']}")
    return "\n".join(lines)


# What a page still has to do before it shows its final state: requests in flight (and their
# bodies being read), and short timers (a debounced panel asks the server 120 ms after it
# mounts). A page is settled when none is left and two animation frames have painted. Timers of
# more than SHORT_TIMER_MS are polling (a job's progress), not the page still drawing.
SHORT_TIMER_MS = 300
PENDING_JS = """
(() => {
  let requests = 0;
  const timers = new Set();
  const done = () => { requests--; };
  const fetch0 = window.fetch;
  window.fetch = function (...args) { requests++; return fetch0.apply(this, args).finally(done); };
  for (const m of ['json', 'text', 'arrayBuffer', 'blob']) {
    const read = Response.prototype[m];
    Response.prototype[m] = function (...args) {
      requests++;
      return read.apply(this, args).finally(done);
    };
  }
  const set0 = window.setTimeout, clear0 = window.clearTimeout;
  window.setTimeout = function (fn, ms, ...rest) {
    if (typeof fn !== 'function' || !((ms || 0) <= SHORT)) return set0.call(this, fn, ms, ...rest);
    const id = set0.call(this, () => { timers.delete(id); fn(...rest); }, ms);
    timers.add(id);
    return id;
  };
  window.clearTimeout = function (id) { timers.delete(id); return clear0.call(this, id); };
  Object.defineProperty(window, '__nnwebPending', { get: () => requests + timers.size });
})();
""".replace("SHORT", str(SHORT_TIMER_MS))


def watch_pending(target) -> None:
    """Count the unfinished work (requests, short timers) of the pages ``target`` (a page or a
    browser context) loads from now on, for :func:`settled`. Call before ``page.goto``."""
    target.add_init_script(PENDING_JS)


def settled(page, timeout_ms: float = 15_000) -> bool:
    """Wait until the page and the pages it embeds (iframes) have no request in flight, no
    short timer pending (see PENDING_JS) and no font loading (the playground also until its
    first state is drawn, body[data-ready]), then for two painted animation frames. False if
    that did not happen within ``timeout_ms``."""
    try:
        page.wait_for_function(
            """() => [window, ...[...document.querySelectorAll('iframe')].map(f => f.contentWindow)]
                .every((w) => {
                    const d = w.document;  // nnweb embeds its own pages only: same origin
                    return (w.__nnwebPending ?? 0) === 0 && d.fonts.status === 'loaded' &&
                        (!d.getElementById('pg-diagram') || d.body.dataset.ready === '1');
                })""",
            polling="raf",
            timeout=timeout_ms,
        )
    except PlaywrightTimeout:
        return False
    painted(page)
    return True


def painted(page) -> None:
    """Wait for two animation frames: what the page changed so far has been drawn."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


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
