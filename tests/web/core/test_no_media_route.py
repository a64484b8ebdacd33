"""Uploaded files are reachable only through permission-checked views, never as /media/ URLs."""

import importlib

import pytest
from django.test import override_settings
from django.urls import clear_url_caches


@pytest.mark.django_db
def test_media_files_are_not_served_even_in_debug(client, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    (tmp_path / "training" / "1").mkdir(parents=True)
    (tmp_path / "training" / "1" / "checkpoint.npz").write_bytes(b"private")
    with override_settings(DEBUG=True):
        import nnweb.urls

        importlib.reload(nnweb.urls)  # the URLconf is built at import: rebuild it under DEBUG
        clear_url_caches()
        try:
            response = client.get("/media/training/1/checkpoint.npz")
        finally:
            importlib.reload(nnweb.urls)
            clear_url_caches()
    assert response.status_code == 404
