"""The page crawler: every page of nnweb, as anonymous, student and instructor, at 1280×800 and
390×844, in the light theme and the dark one.

Each page view must show no critical or serious axe-core violation, no sideways scrolling
(scrollWidth <= innerWidth), no console error and no 5xx; a screenshot of each is written to
test-results/crawl/ (git-ignored; pytest-playwright's own output is test-results/playwright/,
the only folder it empties at the start of a session), with axe.jsonl, one line of figures per
view. The page list comes from frontend/urls.py: ROUTES names one entry per URL pattern (its
path parameters filled from the objects `site` creates), and test_every_route_is_crawled fails
when a pattern has no entry, so a new page cannot be missed.

The views are checked in two browsers at once (lanes.py: NNWEB_CRAWL_LANES), each test
reporting its own view; in each browser, one context per role and width, signed in once, serves
all of that role's pages. A dark view is checked on its light view's page, switched to
`prefers-color-scheme: dark` once the light checks are done: the pages' colours are CSS only,
and test_dark_switch_in_place_draws_as_a_dark_load holds them to that. Lessons, the largest
pages, get three of the eight views (LESSON_VIEWS); a page that sends an anonymous reader to
the sign-in page is checked for that redirect only.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from .conftest import REPO_ROOT
from .lanes import Lanes
from .page_checks import (
    BLOCKING_IMPACTS,
    axe_violations,
    format_violations,
    painted,
    sentinel_fired,
    settled,
    sideways_overflow,
    watch_pending,
    widest_elements,
)

PASSWORD = "crawl-Pass-word-41"
ROLES = ("anonymous", "student", "instructor")
WIDTHS = {"wide": (1280, 800), "narrow": (390, 844)}
SHOTS = REPO_ROOT / "test-results" / "crawl"


def _lesson_slugs() -> list[str]:
    from frontend.course import COURSE

    return [section.slug for section in COURSE if section.url.startswith("/lessons/")]


# One entry per named URL pattern of frontend/urls.py. A page entry lists the paths to visit;
# `{name}` is filled from the objects `site` made. POST-only actions say why they are not
# visited (their forms are on pages that are).
PLAYGROUND_ON_PAYLOAD = "/playground/?dataset=dataset:{dataset}"
POST_ONLY = "POST-only action; its form is checked on the page that holds it"
_LTI = "LTI protocol endpoint (OIDC login, launch, JWKS), not a page a reader visits"
ROUTES: dict[str, list[str] | str] = {
    "home": ["/"],
    "primes-job-new": ["/jobs/primes/"],
    "primes-job": ["/jobs/primes/{job}/"],
    "accounts:login": ["/accounts/login/"],
    "accounts:logout": POST_ONLY,
    "accounts:signup": ["/accounts/signup/"],
    "accounts:people": ["/accounts/people/"],
    "lessons:index": ["/lessons/"],
    "lessons:lesson": [f"/lessons/{slug}/" for slug in _lesson_slugs()],
    # The second opens the playground on the payload data set: its class and feature names
    # are on the page (the stored-script check).
    "playground": ["/playground/", PLAYGROUND_ON_PAYLOAD],
    "playground-classroom": ["/playground/c/{classroom}/"],
    "datasets": ["/datasets/"],
    "datasets-upload": ["/datasets/upload/"],
    "datasets-detail": ["/datasets/{dataset}/", "/datasets/{image_zip}/", "/datasets/{coco}/"],
    "datasets-visibility": POST_ONLY,
    "datasets-delete": POST_ONLY,
    "training": ["/training/"],
    "training-new": ["/training/new/"],
    "training-detail": ["/training/{run}/"],
    "training-cancel": POST_ONLY,
    "models": ["/models/"],
    "models-detail": ["/models/{model}/", "/models/{named_model}/", "/models/{onnx_model}/"],
    "models-delete": POST_ONLY,
    "models-visibility": POST_ONLY,
    "segmentation": ["/segmentation/"],
    "classes:index": ["/classes/"],
    # A class of crawl-teacher's with crawl-pupil enrolled, a challenge and a lesson assignment
    # (SEED's classes block); the pupil's pages of it are the student view, the rest refuse them.
    "classes:join": ["/classes/join/{class_code}/"],
    "classes:detail": ["/classes/{klass}/"],
    "classes:delete": ["/classes/{klass}/delete/"],
    "classes:live": ["/classes/{klass}/live/"],
    "classes:snapshot": ["/classes/{klass}/live/{class_pupil}/"],
    "classes:assignment": [
        "/classes/{klass}/assignments/{class_lesson}/",
        "/classes/{klass}/assignments/{class_challenge}/",
    ],
    "classes:check": POST_ONLY,
    "classes:gradebook-csv": "CSV download, not an HTML page",
    "lti:login": _LTI,
    "lti:launch": _LTI,
    "lti:jwks": _LTI,
    "lti:deep-link": _LTI,
}

# Checks excused on one page, each with its reason: {path: {check: reason}}. Only the named
# check is excused, only on that page; every other check still runs there. Empty today: add an
# entry only with the reason, and remove it with the fix.
KNOWN_FAILURES: dict[str, dict[str, str]] = {}


# Who made each of SEED's objects: they, at least, must be shown the page.
OWNERS = {
    "/jobs/primes/{job}/": "student",
    "/datasets/{dataset}/": "instructor",
    "/training/{run}/": "student",
    "/models/{model}/": "student",
    "/playground/c/{classroom}/": "instructor",
    "/models/{onnx_model}/": "instructor",
}


def _walk(patterns, prefix=""):
    from django.urls import URLPattern, URLResolver

    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{p.namespace}:" if p.namespace else ""
            yield from _walk(p.url_patterns, prefix + ns)
        elif isinstance(p, URLPattern) and p.name:
            yield prefix + p.name


def _route_names() -> list[str]:
    from frontend import urls

    return list(_walk(urls.urlpatterns))


def _page_paths() -> list[str]:
    paths = []
    for entry in ROUTES.values():
        if isinstance(entry, list):
            paths.extend(entry)
    return paths


def test_every_route_is_crawled():
    names = _route_names()
    missing = [n for n in names if n not in ROUTES]
    stale = [n for n in ROUTES if n not in names]
    assert not missing, f"URL patterns without a crawler entry in ROUTES: {missing}"
    assert not stale, f"ROUTES entries with no URL pattern: {stale}"


# Stored script: every name a user can give (data set name and description, CSV column names
# and class labels, class folders of an image zip, COCO categories, model names, a classroom
# link's title, a user's name) carries a payload. Run, it sets window.__nnwebXss
# (sentinel_fired); parsed as markup at all, it leaves an element marked data-nnweb-xss, which
# the content security policy cannot hide. check_page fails a view where either is found, and
# test_stored_script_payloads_show_as_text proves the payloads reach the pages as text.
XSS_IMG = '<img src=x data-nnweb-xss onerror="window.__nnwebXss=1">'
XSS_SCRIPT = '"><script data-nnweb-xss>window.__nnwebXss=1</script>'
XSS_MARK = "[data-nnweb-xss]"

SEED = r"""
import csv, io, json, zipfile
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from engine import Dense, Sequential
from nnweb.accounts.services import ensure_user
from nnweb.core import services as core
from nnweb.datasets.services import import_dataset
from nnweb.modelzoo.services import publish_model
from nnweb.playground.classroom import create_classroom_link
from nnweb.training import services as training
from nnweb.training.tasks import Trainer

PASSWORD = __PASSWORD__
IMG, SCRIPT = __XSS_IMG__, __XSS_SCRIPT__
teacher = ensure_user("crawl-teacher", PASSWORD, instructor=True)
pupil = ensure_user("crawl-pupil", PASSWORD, instructor=False)
User = get_user_model()
teacher = User.objects.get(username="crawl-teacher")
pupil = User.objects.get(username="crawl-pupil")

# ---- stored-script payloads (the API edge's block; class objects go in their own block) ----
def payload_csv():
    buf = io.StringIO()
    out = csv.writer(buf)
    out.writerow(["x1 " + IMG, "x2 " + SCRIPT, "label " + IMG])
    labels = ["a " + IMG, "b " + SCRIPT]
    for i in range(40):
        out.writerow([i % 7, (i * 3) % 5, labels[i % 2]])
    return buf.getvalue().encode()

def png(colour):
    from PIL import Image
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(buf, format="PNG")
    return buf.getvalue()

def zipped(entries):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()

# Public, so that anonymous readers see these names too. A folder name cannot hold '/', so
# the image zip's classes carry the <img> payload only.
folders = {f"cat {IMG}/{i}.png": png((200, 0, 0)) for i in range(3)}
folders.update({f"dog {IMG}x/{i}.png": png((0, 0, 200)) for i in range(3)})
image_zip = import_dataset(
    teacher, SimpleUploadedFile("folders.zip", zipped(folders), "application/zip"),
    name="Image zip " + SCRIPT, description="Folders " + IMG, visibility="public")
coco_doc = {
    "images": [{"id": 1, "file_name": "a.png", "width": 8, "height": 8}],
    "categories": [{"id": 1, "name": "square " + IMG}, {"id": 2, "name": "disc " + SCRIPT}],
    "annotations": [
        {"id": 1, "image_id": 1, "category_id": 1, "iscrowd": 0,
         "segmentation": [[1, 1, 4, 1, 4, 4, 1, 4]]},
        {"id": 2, "image_id": 1, "category_id": 2, "iscrowd": 0,
         "segmentation": [[5, 5, 7, 5, 7, 7, 5, 7]]},
    ],
}
coco = import_dataset(
    teacher, SimpleUploadedFile("coco.zip", zipped({"a.png": png((9, 9, 9))}), "application/zip"),
    annotations=SimpleUploadedFile("coco.json", json.dumps(coco_doc).encode(), "application/json"),
    name="COCO " + IMG, description="Categories " + SCRIPT, visibility="public")
# Usernames from the sign-up form are restricted; one made otherwise (an LTI launch, the
# admin) and its first name are not.
named = User.objects.filter(username="crawl-" + IMG).first() or User.objects.create_user(
    "crawl-" + IMG, password=PASSWORD, first_name=SCRIPT)
named_net = Sequential([Dense(2, 2, activation="softmax")], "cross_entropy", seed=0)
named_model = publish_model(named, "net of " + SCRIPT, "classification", named_net,
                            {"val_accuracy": 0.5}, class_names=["p " + IMG, "q " + SCRIPT],
                            description="By " + IMG, visibility="public")
# An uploaded .onnx: its file name becomes the model's name and its metadata the class names.
import numpy as np
from engine.onnx.export import to_model
from nnweb.modelzoo.services import upload_model
onnx_net = Sequential([Dense(2, 2, activation="softmax")], "cross_entropy", seed=0)
proto = to_model(onnx_net, ["u " + IMG, "v " + SCRIPT], None, None, np.float32)
onnx_model = upload_model(teacher, SimpleUploadedFile(IMG + ".onnx", proto.SerializeToString()),
                          description="Uploaded " + SCRIPT, visibility="public")
# ---- end of the stored-script block ----

upload = SimpleUploadedFile("points.csv", payload_csv(), "text/csv")
dataset = import_dataset(teacher, upload, name="Crawl points " + IMG, target="label " + IMG,
                         description="Points " + SCRIPT, visibility="students")
net = Sequential([Dense(2, 4, activation="tanh"), Dense(4, 2, activation="softmax")],
                 "cross_entropy", seed=0)
model = publish_model(pupil, "crawl net " + IMG, "classification", net, {"val_accuracy": 0.75},
                      class_names=["a " + IMG, "b " + SCRIPT], description="Net " + SCRIPT,
                      visibility="public")
# Trained on the payload data set: the run carries its name, feature names and class labels.
run = training.create_run(pupil, dataset=dataset, network={"type": "mlp", "hidden": [4]},
                          optimizer={"lr": 0.1, "batch_size": 32, "epochs": 2}, enqueue=False)
Trainer(run.pk).run()
job = core.enqueue_count_primes(1000, f"user:{pupil.pk}")  # the student's job
link = create_classroom_link(teacher, {}, [], "Crawl class " + IMG)

# --- classes: a class of the teacher's, the pupil enrolled, a lesson and a challenge ---------
from datetime import timedelta
from django.utils import timezone
from nnweb.classes import services as classes
from nnweb.classes.goals import GoalSerializer
from nnweb.lessons import services as progress

klass = classes.create_class(teacher, "Crawl class")
classes.join_class(pupil, klass.join_code)
due = timezone.now() + timedelta(days=7)
lesson = classes.create_assignment(klass, teacher, {"title": "Convolution questions",
                                                    "kind": "lesson", "lesson": "convolution",
                                                    "due": due})
goal = GoalSerializer(data={"measure": "accuracy", "dataset": "xor", "min_test_accuracy": 0.9,
                            "max_hidden_neurons": 8})
goal.is_valid(raise_exception=True)
challenge = classes.create_assignment(klass, teacher, {"title": "XOR to 90%",
                                                       "kind": "challenge", "due": due,
                                                       "goal": goal.validated_data})
progress.record_answer(pupil, "convolution", "q1", 26, True)
progress.record_answer(pupil, "convolution", "q2", 30, False)
class_seed = {"klass": klass.pk, "class_code": klass.join_code, "class_pupil": pupil.pk,
              "class_lesson": lesson.pk, "class_challenge": challenge.pk}
# --- end of the classes block --------------------------------------------------------------

print("SEED" + json.dumps({"dataset": dataset.pk, "model": model.pk, "run": run.pk,
                           "job": str(job.id), "classroom": link["token"],
                           "image_zip": image_zip.pk, "coco": coco.pk,
                           "named_model": named_model.pk, "onnx_model": onnx_model.pk,
                           **class_seed}))
"""


@pytest.fixture(scope="session")
def site(nnweb_server) -> dict:
    """The objects the parametrised routes need: a dataset, a model, a run, a job, a link."""
    # This session's figures and pictures only: the folder outlives the session.
    SHOTS.mkdir(parents=True, exist_ok=True)
    for old in [*SHOTS.glob("*.png"), SHOTS / "axe.jsonl"]:
        old.unlink(missing_ok=True)
    seed = (
        SEED.replace("__PASSWORD__", repr(PASSWORD))
        .replace("__XSS_IMG__", repr(XSS_IMG))
        .replace("__XSS_SCRIPT__", repr(XSS_SCRIPT))
    )
    out = nnweb_server.manage("shell", "-c", seed)
    line = next(x for x in out.splitlines() if x.startswith("SEED"))
    return json.loads(line[4:])


# --- classes: crawl-pupil's open playground, for the snapshot page ---------------------------
@pytest.fixture(scope="session")
def class_live_session(browser, base_url, site):
    """crawl-pupil's playground, open while a class snapshot is crawled: its socket sends the
    pupil's tile to the server (in the server's own process, which SEED's shell is not), so
    the snapshot shows a live session rather than "no playground opened yet"."""
    context = browser.new_context(base_url=base_url)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.fill("input[name=username]", "crawl-pupil")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    page.goto("/playground/?dataset=xor&hidden=4")
    page.wait_for_selector("body[data-ready='1']", timeout=30_000)
    yield page
    context.close()


# --- end of the classes fixtures ------------------------------------------------------------


@dataclass
class Viewer:
    name: str
    context: object
    page: object
    console_errors: list[str]
    server_errors: list[str]


class Viewers:
    """One browser context per (role, width, theme) of one browser, made when first asked for;
    each role signs in once."""

    def __init__(self, browser, base_url: str) -> None:
        self.browser = browser
        self.base_url = base_url
        self.made: dict[tuple[str, str, str], Viewer] = {}
        self.states: dict[str, dict] = {}

    def __call__(self, role: str, width: str, theme: str) -> Viewer:
        key = (role, width, theme)
        if key in self.made:
            return self.made[key]
        w, h = WIDTHS[width]
        context = self.browser.new_context(
            base_url=self.base_url,
            viewport={"width": w, "height": h},
            color_scheme=theme,
            storage_state=self.states.get(role),
        )
        watch_pending(context)
        page = context.new_page()
        viewer = Viewer("-".join(key), context, page, [], [])
        page.on(
            "console",
            lambda m: m.type == "error" and viewer.console_errors.append(m.text),
        )
        page.on("pageerror", lambda e: viewer.console_errors.append(f"uncaught: {e}"))
        page.on(
            "response",
            lambda r: r.status >= 500 and viewer.server_errors.append(f"{r.status} {r.url}"),
        )
        if role != "anonymous" and role not in self.states:
            username = "crawl-teacher" if role == "instructor" else "crawl-pupil"
            page.goto("/accounts/login/")
            page.fill("input[name=username]", username)
            page.fill("input[name=password]", PASSWORD)
            with page.expect_navigation():
                page.click("main form button[type=submit]")
            self.states[role] = context.storage_state()
        self.made[key] = viewer
        return viewer

    def close(self) -> None:
        for viewer in self.made.values():
            viewer.context.close()


@pytest.fixture(scope="session")
def viewers(browser, base_url, site):
    """The session browser's viewers, for the tests that drive one page themselves."""
    made = Viewers(browser, base_url)
    yield made
    made.close()


def _fill(path: str, site: dict) -> str:
    return path.format(**site)


def _shot_name(path: str, role: str, width: str, theme: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"
    return f"{slug}--{role}--{width}--{theme}.png"


def _settle(page) -> list[tuple[str, str]]:
    # Pages draw their panels on DOMContentLoaded, and some fill them from the API: the checks
    # run once no request or short timer is pending and the result has painted (page_checks'
    # settled). Waiting for network idle instead would cost half a second a view, and two
    # animation frames after `load` were too soon for a panel that asks the server first.
    if settled(page):
        return []
    return [("settle", "the page still had requests or short timers pending after 15 s")]


# Requests a page makes that this role is refused, by design: (the console line, the message
# the page shows). An anonymous reader opening the playground on a students-only data set is
# told so and gets the default data set.
EXPECTED_REFUSALS = {
    (PLAYGROUND_ON_PAYLOAD, "anonymous"): ("status of 400", "that you may see"),
}


DARK_RULES = ["color-contrast", "link-in-text-block"]


def check_page(
    viewer: Viewer,
    path: str,
    stop_at_sign_in: bool = False,
    expected_refusal: tuple[str, str] | None = None,
) -> list[tuple[str, str]] | None:
    """Visit `path`; return the problems found as (check, message) pairs.

    With ``stop_at_sign_in``, a page that redirects to the sign-in page (with ``next=``) is
    not checked again as the sign-in page: None is returned, as for a 404 that is Django's
    debug page."""
    page = viewer.page
    viewer.console_errors.clear()
    viewer.server_errors.clear()
    response = page.goto(path)
    status = response.status if response else 0
    if stop_at_sign_in and "/accounts/login/?next=" in page.url and "/accounts/" not in path:
        assert status == 200 and not viewer.server_errors, (path, status, viewer.server_errors)
        return None
    if status == 404 and page.title().startswith("Page not found at"):
        # Another user's object: refused as not found. The live server runs with DEBUG on, so
        # this is Django's technical 404 page, which no visitor of nnweb sees; nnweb's own 404
        # page is checked by test_error_page.
        return None
    problems: list[tuple[str, str]] = _settle(page)
    if status >= 500:
        problems.append(("5xx", f"{path} answered {status}"))
    for err in viewer.server_errors:
        problems.append(("5xx", err))
    # A refused page (403/404 for this role) is expected; its own load error is not news.
    refused = f"status of {status}" if status in (403, 404) else None
    if expected_refusal:  # the page shows the refusal (checked here); the browser logs it
        refused, shown = expected_refusal
        assert shown in page.inner_text("main"), f"{path}: the refusal is not shown"
    for err in viewer.console_errors:
        if refused and refused in err:
            continue
        problems.append(("console", err))
    problems.extend(stored_script(page))
    return problems + _layout_and_axe(page, path, viewer.name)


# The dark theme's page background (--bg in tokens.css): the sign that the dark tokens apply.
DARK_BACKGROUND = "rgb(17, 21, 27)"


def check_dark_in_place(viewer: Viewer, path: str) -> list[tuple[str, str]]:
    """The dark view of the light page just checked: switch it to `prefers-color-scheme:
    dark` (as a reader's system does at dusk), check it and screenshot it, switch it back."""
    page = viewer.page
    dark_name = viewer.name.removesuffix("-light") + "-dark"
    viewer.console_errors.clear()
    page.emulate_media(color_scheme="dark")
    try:
        painted(page)
        problems = [("console", err) for err in viewer.console_errors]
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        if background != DARK_BACKGROUND:
            problems.append(("theme", f"the dark theme did not apply: background {background}"))
        problems += _layout_and_axe(page, path, dark_name)
        role, width, theme = dark_name.split("-")
        page.screenshot(path=str(SHOTS / _shot_name(path, role, width, theme)))
    finally:
        page.emulate_media(color_scheme="light")
    return problems


def _layout_and_axe(page, path: str, view_name: str) -> list[tuple[str, str]]:
    """Sideways overflow and axe-core on the page as it is; one tally line for the view."""
    problems = []
    overflow = sideways_overflow(page)
    if overflow > 0:
        widest = ", ".join(widest_elements(page))
        problems.append(("overflow", f"scrolls sideways by {overflow}px; widest: {widest}"))
    # A dark view differs from its light one only in colour: the structural rules were run
    # on the light view of the same page, so here only the contrast rules run.
    dark = view_name.endswith("-dark")
    violations = axe_violations(page, rules=DARK_RULES if dark else None)
    if violations:
        nodes = sum(len(v["nodes"]) for v in violations)
        problems.append(("axe", f"{nodes} nodes:\n{format_violations(violations)}"))
    _tally(path, view_name, violations, overflow)
    return problems


def stored_script(page) -> list[tuple[str, str]]:
    """A payload that ran (the sentinel) or that became markup (a marked element)."""
    problems = []
    if sentinel_fired(page):
        problems.append(("script", "a stored script payload ran (window.__nnwebXss is set)"))
    marked = page.evaluate(
        f"() => [...document.querySelectorAll({XSS_MARK!r})].map(e => e.outerHTML.slice(0, 120))"
    )
    if marked:
        problems.append(("script", f"a stored payload became markup: {marked}"))
    return problems


_TALLY_LOCK = threading.Lock()  # the browser lanes write from their own threads


def _tally(path: str, view_name: str, violations: list[dict], overflow: int) -> None:
    """One line per page view in test-results/crawl/axe.jsonl: the before/after figures."""
    row = {
        "path": path,
        "view": view_name,
        "axe_nodes": sum(len(v["nodes"]) for v in violations),
        "rules": sorted({v["id"] for v in violations}),
        "overflow": overflow,
    }
    with _TALLY_LOCK, open(SHOTS / "axe.jsonl", "a", encoding="utf-8") as out:
        out.write(json.dumps(row) + "\n")


def _report(path: str, problems: list[tuple[str, str]]) -> None:
    excused = KNOWN_FAILURES.get(path, {})
    blocking = [(c, m) for c, m in problems if c not in excused]
    if blocking:
        pytest.fail(f"{path}:\n" + "\n".join(f"[{c}] {m}" for c, m in blocking), pytrace=False)
    if problems:
        pytest.xfail("; ".join(f"{c}: {excused[c]}" for c, _ in problems))


# Light theme: every role at both widths. Dark theme (the same checks, contrast above all):
# the fewest and the most links (anonymous, instructor), wide and narrow respectively.
VIEWS = [(role, width, "light") for role in ROLES for width in WIDTHS] + [
    ("anonymous", "wide", "dark"),
    ("instructor", "narrow", "dark"),
]
# A lesson reads the same to every signed-in role (only the header, which every other page
# checks in every view, and the saved answers differ from an anonymous reader's), and lessons
# are the largest pages axe checks (up to 7,600 elements, most of them KaTeX's): each is
# crawled once per width, anonymous wide and as a student (with saved answers) narrow, and in
# the dark theme once.
LESSON_VIEWS = [
    ("anonymous", "wide", "light"),
    ("student", "narrow", "light"),
    ("student", "narrow", "dark"),
]


def _page_views() -> list:
    out = []
    for path in _page_paths():
        views = LESSON_VIEWS if path.startswith("/lessons/") and path != "/lessons/" else VIEWS
        out.extend(pytest.param(v, path, id=f"{'-'.join(v)}-{path}") for v in views)
    return out


def crawl_jobs(views: list[tuple[tuple, str]]) -> dict[tuple, tuple]:
    """The job that checks each (view, path): (role, width, path, themes), in the views' order.
    A dark view rides on the light view of the same role, width and path when that is asked
    for too (check_dark_in_place), and is loaded dark only on its own."""
    asked = set(views)
    job_of = {}
    for (role, width, theme), path in views:
        themes = tuple(t for t in ("light", "dark") if ((role, width, t), path) in asked)
        job_of[((role, width, theme), path)] = (role, width, path, themes)
    return job_of


@pytest.fixture(scope="session")
def crawl(request, browser_type_launch_args, base_url, site):
    """This session's test_page views, checked in browser lanes (lanes.py) in test order:
    ``crawl(view, path)`` is the view's problems (None: see crawl_view)."""
    job_of = crawl_jobs(
        [
            (item.callspec.params["view"], item.callspec.params["path"])
            for item in request.session.items
            if getattr(item, "function", None) is test_page
        ]
    )
    if any("{class_pupil}" in path for _, path in job_of):
        request.getfixturevalue("class_live_session")  # open before a lane reaches the page

    def make_worker(browser):
        viewers = Viewers(browser, base_url)
        return lambda job: crawl_view(viewers, site, *job)

    jobs = list(dict.fromkeys(job_of.values()))  # a light view and its dark view: one job
    lanes = Lanes(jobs, browser_type_launch_args, make_worker)
    yield lambda view, path: lanes.result(job_of[(view, path)])[view[2]]
    lanes.close()


def crawl_view(viewers: Viewers, site: dict, role: str, width: str, path: str, themes: tuple):
    """Check one page in the given themes (check_page, then check_dark_in_place), screenshot
    it and, for the playground, check its own promises: {theme: problems}. None for each
    theme when the page sends this role to sign in or refuses it as not found."""
    first = themes[0]
    viewer = viewers(role, width, first)
    problems = check_page(
        viewer,
        _fill(path, site),
        stop_at_sign_in=role == "anonymous",
        expected_refusal=EXPECTED_REFUSALS.get((path, role)),
    )
    if problems is None:
        return dict.fromkeys(themes)
    viewer.page.screenshot(path=str(SHOTS / _shot_name(path, role, width, first)))
    found = {first: problems}
    if "dark" in themes[1:]:
        found["dark"] = check_dark_in_place(viewer, path)
    # Last, as it changes the page (a step).
    if path.startswith("/playground/") and width == "wide" and first == "light":
        problems += _playground_problems(viewer.page)
    return found


@pytest.mark.parametrize(("view", "path"), _page_views())
def test_page(crawl, view, path):
    problems = crawl(view, path)
    if problems is None:
        # sent to the sign-in page, or refused with Django's debug 404 (see check_page): never
        # the owner of the object the page shows
        assert OWNERS.get(path) != view[0], f"{path} is refused to its owner ({view[0]})"
        return
    _report(path, problems)


def _playground_problems(page) -> list[tuple[str, str]]:
    """The playground's own promises, at 1280×800: the network diagram and the output heatmap
    both on the first screen, and after one "step" every drawn edge weight (data-w) is the
    session's weight. (tests/e2e/test_playground_sync.py checks every action; this is the
    crawl's one cheap look.)"""
    page.wait_for_selector("body[data-ready='1']", timeout=30_000)
    problems = []
    for name in ("diagram", "heatmap"):
        box = page.locator(f"#pg-{name}").bounding_box()
        if box is None or box["y"] + box["height"] > 800 or box["x"] + box["width"] > 1280:
            problems.append(("playground", f"#pg-{name} is not inside 1280×800: {box}"))
    step = page.locator("button[data-action='step']")
    if not step.is_visible():  # a classroom link may hide stepping
        return problems
    before = page.get_attribute("#pg-metrics", "data-iteration")
    step.click()
    page.wait_for_function(
        f"() => document.getElementById('pg-metrics').dataset.iteration !== '{before}'"
    )
    sid = page.evaluate("document.body.dataset.session")
    params = page.request.get(f"/api/playground/sessions/{sid}/").json()["params"]
    drawn_js = """() => [...document.querySelectorAll('#pg-diagram line.edge')].map(e =>
                    [+e.dataset.l, +e.dataset.j, +e.dataset.i, +e.dataset.w])"""
    try:  # the panels redraw from one reply, the metrics line among the first: allow a moment
        page.wait_for_function(
            """(p) => { const edges = [...document.querySelectorAll('#pg-diagram line.edge')];
                return edges.length > 0 && edges.every(e =>
                    +e.dataset.w === p['W' + e.dataset.l][+e.dataset.j][+e.dataset.i]); }""",
            arg=params,
            timeout=5_000,
        )
    except PlaywrightTimeout:
        drawn = page.evaluate(drawn_js)
        wrong = [(l, j, i, w) for l, j, i, w in drawn if w != params[f"W{l}"][j][i]]
        problems.append(("playground", f"after a step, edges drawn unlike the session: {wrong}"))
    return problems


ERROR_PAGES = {"400.html": 400, "403.html": 403, "404.html": 404, "500.html": 500}


@pytest.mark.parametrize("template", list(ERROR_PAGES))
@pytest.mark.parametrize("theme", ["light", "dark"])
def test_error_page(viewers, base_url, template, theme):
    """The error pages (shown with DEBUG off; the live server runs with DEBUG on): rendered
    here as Django's handlers render them, served at the server's origin so their styles
    and scripts load, and checked like every other page."""
    from django.contrib.auth.models import AnonymousUser
    from django.template import loader
    from django.test import RequestFactory

    request = RequestFactory().get("/no-such-page/")
    request.user = AnonymousUser()
    html = loader.render_to_string(template, {"request_path": request.path}, request=request)
    assert "Back to the home page" in html
    viewer = viewers("anonymous", "narrow", theme)
    url = f"/__error/{ERROR_PAGES[template]}/"
    viewer.page.route(
        f"{base_url}{url}",
        lambda route: route.fulfill(status=200, body=html, content_type="text/html"),
    )
    try:
        problems = check_page(viewer, url)
        viewer.page.screenshot(path=str(SHOTS / f"error-{template[:3]}--{theme}.png"))
    finally:
        viewer.page.unroute(f"{base_url}{url}")
    # A page fulfilled by the test has no server address, so Chromium's local-network check
    # refuses its websocket to 127.0.0.1: an artefact of serving it this way, nothing else.
    artefact = "ERR_BLOCKED_BY_LOCAL_NETWORK_ACCESS_CHECKS"
    problems = [(c, m) for c, m in problems if not (c == "console" and artefact in m)]
    _report(url, problems)


# Where each payload must be read as text: (path, role, the names the page must show).
PAYLOAD_PAGES = [
    ("/datasets/{dataset}/", "instructor", ["Crawl points " + XSS_IMG, "a " + XSS_IMG]),
    ("/datasets/{coco}/", "anonymous", ["COCO " + XSS_IMG, "disc " + XSS_SCRIPT]),
    ("/datasets/{image_zip}/", "student", ["Image zip " + XSS_SCRIPT, "cat " + XSS_IMG]),
    ("/datasets/", "student", ["Crawl points " + XSS_IMG]),
    ("/models/{model}/", "anonymous", ["crawl net " + XSS_IMG]),
    ("/models/{named_model}/", "anonymous", ["net of " + XSS_SCRIPT, "crawl-" + XSS_IMG]),
    ("/models/{onnx_model}/", "anonymous", [XSS_IMG, "u " + XSS_IMG, "Uploaded " + XSS_SCRIPT]),
    ("/models/", "anonymous", ["crawl net " + XSS_IMG]),
    (PLAYGROUND_ON_PAYLOAD, "student", ["a " + XSS_IMG]),
    ("/training/{run}/", "student", ["Crawl points " + XSS_IMG]),
    ("/training/", "student", ["Crawl points " + XSS_IMG]),
    ("/playground/c/{classroom}/", "student", ["Crawl class " + XSS_IMG]),
    ("/accounts/people/", "instructor", ["crawl-" + XSS_IMG]),
]


@pytest.mark.parametrize(
    ("path", "role", "texts"), PAYLOAD_PAGES, ids=[p[0] for p in PAYLOAD_PAGES]
)
def test_stored_script_payloads_show_as_text(viewers, site, path, role, texts):
    """The payloads reach the pages, as text: the crawl's stored-script check cannot pass by
    a name being dropped or mangled on the way."""
    viewer = viewers(role, "wide", "light")
    viewer.page.goto(_fill(path, site))
    assert not _settle(viewer.page)
    for expected in texts:
        # Panels that draw from the API (the playground) show their names a moment later.
        try:
            viewer.page.wait_for_function(
                "(t) => document.querySelector('main').innerText.includes(t)",
                arg=expected,
                timeout=10_000,
            )
        except Exception:  # noqa: BLE001 - the assertion below says what is missing
            pass
        text = viewer.page.inner_text("main")
        assert expected in text, f"{path} does not show {expected!r} as text"
    assert not stored_script(viewer.page)


def test_check_page_fails_a_view_where_a_payload_ran(viewers, base_url):
    """The stored-script check itself: a page that puts a payload into innerHTML is failed
    (served here with the payload inline, as a broken page would)."""
    viewer = viewers("anonymous", "narrow", "light")
    url = "/__stored-script/"
    html = (
        "<!doctype html><html lang=en><head><title>t</title></head><body><main>"
        f"<p>{XSS_IMG}</p></main></body></html>"
    )
    viewer.page.route(
        f"{base_url}{url}",
        lambda route: route.fulfill(status=200, body=html, content_type="text/html"),
    )
    try:
        problems = check_page(viewer, url)
    finally:
        viewer.page.unroute(f"{base_url}{url}")
    assert [c for c, _ in problems].count("script") >= 1, problems
    # Without a policy on the fulfilled page, the onerror handler runs and sets the sentinel.
    viewer.page.wait_for_function("() => window.__nnwebXss === 1", timeout=5_000)
    assert sentinel_fired(viewer.page)


# A formula as KaTeX draws it: glyphs in the text colour, one lighter, one on a dark box of its
# own (each with two letters: axe judges no shorter text).
FORMULA_PAGE = """<!doctype html><html lang=en><head><title>formula</title></head><body><main>
<h1>Formula</h1><p><span class="katex"><span class="katex-html" aria-hidden="true">
<span style="font-size:12px">u1</span><span>=</span><span>w1</span><span>a1</span>
<span class="light" style="color:#bbbbbb">b1</span>
<span class="boxed" style="background:#222">c1</span>
</span></span></p></main></body></html>"""


@pytest.mark.parametrize("which", ["light", "boxed"])
def test_formula_glyphs_left_out_of_contrast_still_fail(viewers, base_url, which):
    """axe_violations checks one glyph per colour of a formula (page_checks.SAME_CONTRAST_JS):
    a glyph of another colour is still checked itself, and a formula with a background of
    its own is checked glyph by glyph."""
    viewer = viewers("anonymous", "wide", "light")
    url = f"/__formula-{which}/"
    html = FORMULA_PAGE.replace(' class="boxed" style="background:#222"', "")
    if which == "boxed":
        html = FORMULA_PAGE.replace(' class="light" style="color:#bbbbbb"', "")
    viewer.page.route(
        f"{base_url}{url}",
        lambda route: route.fulfill(status=200, body=html, content_type="text/html"),
    )
    try:
        viewer.page.goto(url)
        found = axe_violations(viewer.page, rules=["color-contrast"])
    finally:
        viewer.page.unroute(f"{base_url}{url}")
    targets = [n["target"] for v in found for n in v["nodes"]]
    assert targets == [f".{which}"], targets
    assert not viewer.page.locator("[data-axe-same-contrast]").count()


# Faults of each kind: blocking (an unlabelled field, grey on grey, an image without alt) and not
# (no main landmark, a skipped heading level, content outside every landmark).
FAULTS_PAGE = """<!doctype html><html lang=en><head><title>faults</title></head><body>
<h1>Faults</h1><h4>skipped levels</h4><input type="text">
<p style="color:#999;background:#aaa">grey on grey</p>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
</body></html>"""
# axe's full default run (every rule it runs unless told otherwise), for the comparison.
ALL_RULES_JS = """async () => (await window.axe.run(document, {resultTypes: ['violations']}))
    .violations.map((v) => ({id: v.id, impact: v.impact, nodes: v.nodes.length}))"""


@pytest.mark.parametrize("path", ["/__faults/", "/lessons/back-propagation/", "/playground/"])
def test_axe_leaves_out_only_rules_that_cannot_block(viewers, base_url, path):
    """axe_violations runs only the rules that can report a critical or serious violation
    (page_checks.RULES_THAT_CAN_REPORT_JS): the blocking violations it finds are exactly those
    of axe's full default run, and the rules it leaves out found only lesser ones."""
    viewer = viewers("anonymous", "wide", "light")
    viewer.page.route(
        f"{base_url}/__faults/",
        lambda route: route.fulfill(status=200, body=FAULTS_PAGE, content_type="text/html"),
    )
    try:
        viewer.page.goto(path)
        settled(viewer.page)
        found = axe_violations(viewer.page)
        full = viewer.page.evaluate(ALL_RULES_JS)
    finally:
        viewer.page.unroute(f"{base_url}/__faults/")
    blocking = sorted((v["id"], v["nodes"]) for v in full if v["impact"] in BLOCKING_IMPACTS)
    assert sorted((v["id"], len(v["nodes"])) for v in found) == blocking
    if path == "/__faults/":
        ids = {v["id"] for v in full}
        assert {"label", "color-contrast", "image-alt"} <= {i for i, _ in blocking}
        assert {"region", "heading-order", "landmark-one-main"} <= ids  # found, not blocking


def test_theme_toggle_is_remembered_and_passes_axe(viewers):
    """The header toggle switches a light-system reader to dark; the choice survives a reload
    (localStorage, anonymous), is applied before the page's module script runs, and the dark
    page has no contrast violation."""
    viewer = viewers("anonymous", "wide", "light")
    page = viewer.page
    page.goto("/datasets/")
    toggle = page.locator("#theme-toggle")
    assert toggle.get_attribute("aria-pressed") == "false"
    toggle.click()
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    page.reload()
    # theme.js ran in <head>: the attribute is there before DOMContentLoaded's handlers.
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    assert page.locator("#theme-toggle").get_attribute("aria-pressed") == "true"
    bg = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert bg == "rgb(17, 21, 27)", bg
    assert not [v for v in axe_violations(page) if v["id"] == "color-contrast"]
    page.locator("#theme-toggle").click()
    page.reload()
    assert page.evaluate("document.documentElement.dataset.theme") == "light"
    page.evaluate("localStorage.removeItem('nnweb-theme')")


# Every colour a page draws with, element by element in document order, and every canvas's
# pixels: what a theme could change.
DRAWN_COLOURS_JS = """() => [
    ...[...document.querySelectorAll('body *')].map((e) => {
        const s = getComputedStyle(e);
        return [e.tagName, s.color, s.backgroundColor, s.fill, s.stroke, s.borderTopColor,
                s.outlineColor].join(' ');
    }),
    ...[...document.querySelectorAll('canvas')].map((c) => 'canvas ' + c.toDataURL()),
]"""


@pytest.mark.parametrize(
    ("path", "role"),
    [
        ("/lessons/sgd/", "anonymous"),
        ("/lessons/mask-rcnn/", "anonymous"),
        ("/training/{run}/", "student"),
    ],
)
def test_dark_switch_in_place_draws_as_a_dark_load(viewers, site, path, role):
    """The crawl checks a dark view on its light page switched to `prefers-color-scheme: dark`
    (check_dark_in_place). That holds only while the pages' colours come from CSS alone: no
    chart or canvas may pick a colour by the theme it was drawn in. Here a page switched in
    place draws every element and canvas as the same page loaded dark."""
    url = _fill(path, site)
    loaded = viewers(role, "wide", "dark").page
    loaded.goto(url)
    assert not _settle(loaded)
    switched = viewers(role, "wide", "light").page
    switched.goto(url)
    assert not _settle(switched)
    switched.emulate_media(color_scheme="dark")
    try:
        painted(switched)
        in_place, as_loaded = switched.evaluate(DRAWN_COLOURS_JS), loaded.evaluate(DRAWN_COLOURS_JS)
    finally:
        switched.emulate_media(color_scheme="light")
    assert len(in_place) == len(as_loaded), (len(in_place), len(as_loaded))
    differ = [(k, a, b) for k, (a, b) in enumerate(zip(in_place, as_loaded)) if a != b]
    assert not differ, f"{len(differ)} elements differ, the first: {differ[:3]}"


def test_keyboard_skip_link_menu_and_shortcuts(viewers):
    """Tab reaches the skip link first and it moves focus to <main>; at 390 px the menu button
    opens the tool links; `?` opens the shortcuts overlay, Escape closes it and focus
    returns to the page (no trap)."""
    viewer = viewers("anonymous", "narrow", "light")
    page = viewer.page
    page.goto("/datasets/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    menu = page.locator("#menu-button")
    assert page.locator("#site-nav").is_hidden()
    menu.focus()
    page.keyboard.press("Enter")
    assert menu.get_attribute("aria-expanded") == "true"
    assert page.locator("#site-nav a", has_text="Training").is_visible()
    page.keyboard.press("Tab")
    page.keyboard.press("Escape")
    assert menu.get_attribute("aria-expanded") == "false"

    page.locator("main").focus()
    page.keyboard.press("?")
    dialog = page.locator("dialog#shortcuts-help")
    assert dialog.is_visible()
    assert "Show this list of shortcuts" in dialog.inner_text()
    page.keyboard.press("Escape")
    # The dialog's close event, which removes it, is queued after the key press.
    page.wait_for_selector("dialog#shortcuts-help", state="detached", timeout=5_000)
    # Typing "?" into a field is typing, not a shortcut.
    page.goto("/accounts/login/")
    page.locator("input[name=username]").press("?")
    assert page.locator("dialog#shortcuts-help").count() == 0
