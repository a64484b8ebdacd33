"""The pages load under the Content-Security-Policy with no violation (and send the headers)."""

from __future__ import annotations

import urllib.request

import pytest

from tests.e2e.page_checks import csp_violations, watch_csp

PAGES = [
    "/",
    "/lessons/",
    "/playground/",
    "/segmentation/",
    "/datasets/",
    "/models/",
    "/training/",
    "/accounts/login/",
    "/api/docs/",
]


def test_headers_on_a_page(base_url):
    with urllib.request.urlopen(base_url + "/") as response:
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "camera=()" in response.headers["Permissions-Policy"]


@pytest.mark.parametrize("path", PAGES)
def test_page_has_no_csp_violation(page, base_url, path):
    watch_csp(page)
    response = page.goto(base_url + path)
    assert response is not None and response.status == 200, path
    page.wait_for_load_state("networkidle")
    assert csp_violations(page) == [], path
