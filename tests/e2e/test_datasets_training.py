"""In a real browser: an instructor uploads a CSV, a student trains on it and watches the
progress bar reach the end (pushed over ws/training/<id>/ by the live server, trained by
its db_worker)."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

PASSWORD = "e2e-Pass-word-77"


def iris_csv() -> bytes:
    from sklearn.datasets import load_iris

    data = load_iris()
    lines = ["sepal_length,sepal_width,petal_length,petal_width,species"]
    for row, t in zip(data.data, data.target):
        lines.append(",".join(f"{v:g}" for v in row) + "," + str(data.target_names[t]))
    return ("\n".join(lines) + "\n").encode()


def test_instructor_uploads_csv_student_trains_and_watches(page, nnweb_server, login):
    teacher = f"teach{uuid.uuid4().hex[:6]}"
    pupil = f"pupil{uuid.uuid4().hex[:6]}"
    nnweb_server.create_users(PASSWORD, students=(pupil,), instructors=(teacher,))

    # The instructor uploads iris.csv; the page reads the header and offers the target.
    login(page, teacher, PASSWORD)
    page.goto("/datasets/upload/")
    page.set_input_files(
        "#id_file", files=[{"name": "iris.csv", "mimeType": "text/csv", "buffer": iris_csv()}]
    )
    expect(page.locator("#id_target")).to_have_value("species")
    page.fill("#id_name", "Iris flowers")
    page.select_option("#id_visibility", "students")
    page.check("input[name=task][value=classification]")
    with page.expect_navigation():
        page.click("#upload-submit")
    expect(page).to_have_url(re.compile(r"/datasets/\d+/$"))
    dataset_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    expect(page.locator("#preview-rows tbody tr")).to_have_count(20)
    expect(page.locator("#column-stats")).to_contain_text("setosa (50)")
    with page.expect_navigation():
        page.click("header form button[type=submit]")  # log out

    # The student sees it on the new-run page beside the built-ins and trains an MLP.
    login(page, pupil, PASSWORD)
    page.goto("/training/new/")
    page.select_option("#id_source", f"uploaded:{dataset_id}")
    page.select_option("#id_network", "mlp")
    page.fill("#id_hidden", "16")
    page.select_option("#id_activation", "tanh")
    page.fill("#id_lr", "0.05")
    page.fill("#id_batch_size", "4")
    page.fill("#id_epochs", "40")
    with page.expect_navigation():
        page.click("#run-submit")
    expect(page).to_have_url(re.compile(r"/training/\d+/$"))
    page.evaluate("window.__sameDocument = true")

    # Progress arrives over the websocket (no reload): the bar fills, the run succeeds.
    status = page.locator("#run-status")
    expect(status).to_have_attribute("data-status", "succeeded", timeout=180_000)
    assert page.evaluate("window.__sameDocument === true")
    bar = page.locator("#run-progress")
    total = int(bar.get_attribute("max") or 0)
    assert total == 30 * 40
    assert page.evaluate("document.querySelector('#run-progress').value") == total
    expect(page.locator("#run-step")).to_have_text(str(total))
    accuracy = float(page.locator("#run-accuracy").inner_text())
    assert accuracy >= 0.85
    expect(page.locator("#curves svg path.val-loss")).to_have_attribute("d", re.compile(r"^M"))
    expect(page.locator("#confusion svg.confusion rect")).to_have_count(9)
    expect(page.locator("#run-result")).to_be_visible()
    expect(page.locator("#run-onnx-link")).to_be_visible()
