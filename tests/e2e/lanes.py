"""Browser lanes: check many page views in several browsers at once.

The crawl's time is spent in the browser (loading, drawing, axe-core) and in the server, one
view after another, each waiting on the other: with one browser, a second core is partly idle
(on two cores the crawl took 180 s in one browser before lanes, 162 s in two lanes, 155 s
in three). A
lane is a thread with its own Playwright and its own Chromium (Playwright's sync API is bound
to the thread that started it, so a lane cannot share the session's `browser`). The lanes
take jobs from one queue in the order given, which is the order the tests ask for them, so
a test waits only for its own job:

    lanes = Lanes(jobs, launch_args, make_worker)   # make_worker(browser) -> (job -> result)
    lanes.result(job)                                # the worker's return value, or its raise
    lanes.close()

NNWEB_CRAWL_LANES sets how many lanes run (default 2, this project's CI machine's cores).
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable, Iterable
from concurrent.futures import Future
from typing import Any

from playwright.sync_api import sync_playwright

LANES = int(os.environ.get("NNWEB_CRAWL_LANES", "2"))


class Lanes:
    def __init__(
        self,
        jobs: Iterable[Hashable],
        launch_args: dict,
        make_worker: Callable[[Any], Callable[[Hashable], Any]],
        lanes: int = LANES,
    ) -> None:
        self._queue = deque(jobs)
        self._futures: dict[Hashable, Future] = {job: Future() for job in self._queue}
        self._stop = threading.Event()
        self._error: BaseException | None = None
        self._threads = [
            threading.Thread(
                target=self._run,
                args=(launch_args, make_worker),
                name=f"browser-lane-{n}",
                daemon=True,
            )
            for n in range(max(1, min(lanes, len(self._queue))))
        ]
        for thread in self._threads:
            thread.start()

    def result(self, job: Hashable, timeout: float = 240) -> Any:
        """The job's result (or its exception, raised here), once a lane has done it."""
        future = self._futures[job]
        deadline = time.monotonic() + timeout
        while not future.done():
            if not any(t.is_alive() for t in self._threads):
                raise RuntimeError(f"every browser lane stopped before {job!r}") from self._error
            if time.monotonic() > deadline:
                raise TimeoutError(f"no browser lane finished {job!r} within {timeout:.0f} s")
            time.sleep(0.02)
        return future.result()

    def close(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)

    def _next(self) -> Hashable | None:
        if self._stop.is_set():
            return None
        try:
            return self._queue.popleft()  # deque's popleft is atomic: no lock needed
        except IndexError:
            return None

    def _run(self, launch_args: dict, make_worker) -> None:
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(**launch_args)
                try:
                    work = make_worker(browser)
                    while (job := self._next()) is not None:
                        future = self._futures[job]
                        try:
                            future.set_result(work(job))
                        except Exception as exc:  # noqa: BLE001 - the job's test raises it
                            future.set_exception(exc)
                finally:
                    browser.close()
        except BaseException as exc:  # noqa: BLE001 - reported by result() when no lane is left
            self._error = exc
