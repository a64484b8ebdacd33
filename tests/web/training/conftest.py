"""Fixtures of the training tests: a private media folder and an uploaded CSV dataset."""

from __future__ import annotations

import io

import pytest


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def iris_csv() -> bytes:
    from sklearn.datasets import load_iris

    data = load_iris()
    lines = ["sepal_length,sepal_width,petal_length,petal_width,species"]
    for row, t in zip(data.data, data.target):
        lines.append(",".join(f"{v:g}" for v in row) + "," + str(data.target_names[t]))
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def iris_dataset(instructor):
    from nnweb.datasets.services import import_dataset

    f = io.BytesIO(iris_csv())
    f.name = "iris.csv"
    return import_dataset(instructor, f, name="Iris", target="species", visibility="students")
