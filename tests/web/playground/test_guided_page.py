"""The playground page's guided mode (?guided=forward|backward|1) and its embed layout
(&embed=1), which lessons 2 and 3 put in a same-origin <iframe>."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

QUERY = "dataset=xor&hidden=3&activations=sigmoid&m=1&seed=1"


def test_plain_page_has_no_guided_controls_and_may_not_be_framed_elsewhere(client):
    r = client.get(f"/playground/?{QUERY}")
    assert r.status_code == 200
    html = r.content.decode()
    assert 'id="pg-next"' not in html and 'id="pg-guided"' not in html
    assert r["X-Frame-Options"] == "SAMEORIGIN"


@pytest.mark.parametrize("mode", ["forward", "backward"])
def test_guided_embed_page(client, mode):
    r = client.get(f"/playground/?{QUERY}&guided={mode}&embed=1")
    assert r.status_code == 200
    html = r.content.decode()
    assert "pg-guided-mode" in html and "pg-embed" in html
    assert 'id="pg-next"' in html and 'id="pg-guided"' in html
    assert f'data-guided="{mode}"' in html
    # the config in the query still sets up the network
    assert "Network: 2 → 3 → K" in html


def test_guided_without_embed_and_any_other_value(client):
    html = client.get(f"/playground/?{QUERY}&guided=1").content.decode()
    assert 'data-guided="all"' in html and "pg-embed" not in html
    html = client.get(f"/playground/?{QUERY}&embed=1").content.decode()
    assert "pg-embed" not in html  # embed only together with a guided mode
    html = client.get(f"/playground/?{QUERY}&guided=0").content.decode()
    assert "pg-guided-mode" not in html


def test_the_page_gets_its_defaults_from_the_server_config(client):
    """The page's script has no copy of the settings' defaults: config.Config is their source,
    sent as json_script "pg-defaults" whatever the query asks for."""
    import json
    import re

    from nnweb.playground.config import Config

    html = client.get(f"/playground/?{QUERY}").content.decode()
    found = re.search(r'<script id="pg-defaults" type="application/json">(.*?)</script>', html)
    assert found and json.loads(found.group(1)) == Config().to_dict()
