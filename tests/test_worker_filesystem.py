"""Long work leaves the request on `make run`'s broker too: a real worker on kombu's filesystem transport (no Redis).

A report build started from the web page returns at once; its status page (polled by htmx) shows the progress the
worker records on the job row, step by step, up to 100 %.
"""

from __future__ import annotations

import re
import time

import pytest
from django.urls import reverse

from reports.models import JobStatus, ReportRun
from responses.tests.factories import UserFactory
from tests.otp_helpers import verified_client
from tests.test_worker_reports import _round_with_answers

STEP_SECONDS = 0.4  # each progress step of the build waits this long on the worker, so that the steps can be seen


def _progress_shown(html: str) -> int:
    match = re.search(r'aria-valuenow="(\d+)"', html)
    assert match, html
    return int(match.group(1))


@pytest.mark.worker
def test_a_build_started_from_the_web_returns_at_once_and_its_page_shows_the_progress_to_100(
    filesystem_celery_workers,
) -> None:
    survey = _round_with_answers()
    filesystem_celery_workers.start(REPORT_BUILD_STEP_SECONDS=str(STEP_SECONDS))
    client = verified_client(UserFactory(is_staff=True))

    started = time.monotonic()
    answer = client.post(reverse("reports:report-build", args=[survey.slug]))
    took = time.monotonic() - started

    assert answer.status_code == 302
    run = ReportRun.objects.get(survey=survey)
    assert answer["Location"] == reverse("reports:report-run", args=[run.pk])
    run.refresh_from_db()
    assert not run.finished, "the build ran inside the request"
    assert took < 4 * STEP_SECONDS

    page = client.get(answer["Location"])
    assert page.status_code == 200
    assert b'hx-get="' + reverse("reports:report-run", args=[run.pk]).encode() in page.content  # the page keeps polling

    shown: list[tuple[int, str]] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        poll = client.get(reverse("reports:report-run", args=[run.pk]), headers={"HX-Request": "true"})
        html = poll.content.decode()
        run.refresh_from_db()
        step = (_progress_shown(html), run.message)
        if not shown or shown[-1] != step:
            shown.append(step)
        if 'data-run-status="done"' in html or 'data-run-status="failed"' in html:
            break
        time.sleep(0.1)
    else:
        pytest.fail(f"the build did not finish within 60 s; seen {shown}\n{filesystem_celery_workers.output()[-3000:]}")

    assert run.status == JobStatus.DONE, run.error
    assert shown[-1][0] == 100
    assert "data-open-area" in html
    assert "hx-get" not in html
    between = [percent for percent, _message in shown if 0 < percent < 100]
    assert len(set(between)) >= 3, shown
    assert between == sorted(between), shown  # it only moves forward
    assert {"reading answers", "scoring"} <= {message for _percent, message in shown}, shown
