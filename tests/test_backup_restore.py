"""Backup and restore with pg_dump / pg_restore: the restored database rebuilds exactly the same report."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from accounts.models import Organisation
from reports.services import report_compute
from responses.models import Response, Source
from responses.services import answers_save, response_get_or_create
from surveys.models import Question, Survey

BASE_DIR = Path(__file__).resolve().parent.parent
DUMP_REPORT = (
    "import json, django; django.setup(); "
    "from surveys.models import Survey; from reports.services import report_compute; "
    "print(json.dumps(report_compute(survey=Survey.objects.get(slug='thb-2016'), include_in_progress=False), sort_keys=True))"
)


def _pg(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=120, check=True)


@pytest.mark.django_db(transaction=True)
def test_a_restored_backup_rebuilds_the_same_report(tmp_path: Path) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("backup and restore are PostgreSQL's pg_dump and pg_restore (CI runs them)")
    if not shutil.which("pg_dump") or not shutil.which("pg_restore"):
        pytest.skip("pg_dump / pg_restore not installed (Debian: postgresql-client)")
    call_command("load_survey", "surveys/definitions/thb-2016.yaml", stdout=io.StringIO())
    survey = Survey.objects.get(slug="thb-2016")
    question = Question.objects.of_round(survey).get(code="PRV.SUP.01")
    for code, value in (("AT", "yes"), ("DE", "in_process"), ("FR", "no")):
        response = response_get_or_create(survey=survey, organisation=Organisation.objects.get(code=code))
        assert answers_save(
            response=response,
            question=question,
            raw={("", ""): value},
            base_versions=None,
            user=None,
            source=Source.IMPORT,
        ).ok
    Response.objects.filter(survey=survey).update(status=Response.Status.ACCEPTED)
    original = json.loads(json.dumps(report_compute(survey=survey, include_in_progress=False), sort_keys=True))

    db = connection.settings_dict
    host, port, user = db["HOST"] or "127.0.0.1", str(db["PORT"] or 5432), db["USER"] or "postgres"
    restored_name = f"{db['NAME']}_restored"
    dump = tmp_path / "oscethb.dump"
    common = ["-h", host, "-p", port, "-U", user]
    _pg(["pg_dump", *common, "--format=custom", "--no-owner", "-f", str(dump), db["NAME"]])
    _pg(["dropdb", *common, "--if-exists", restored_name])
    _pg(["createdb", *common, restored_name])
    try:
        _pg(["pg_restore", *common, "--no-owner", "-d", restored_name, str(dump)])
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "oscethb.settings_test",
            "DATABASE_URL": f"postgres://{user}@{host}:{port}/{restored_name}",
        }
        result = subprocess.run(
            [sys.executable, "-c", DUMP_REPORT], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, result.stderr[-2000:]
        rebuilt = json.loads(result.stdout.strip().splitlines()[-1])
    finally:
        _pg(["dropdb", *common, "--if-exists", restored_name])
    assert rebuilt == original
    assert next(h for h in rebuilt["headlines"] if h["question"] == "PRV.SUP.01")["yes"] == 1
