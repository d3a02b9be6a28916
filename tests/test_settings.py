"""Settings: production refuses to start without a secret key; the embedded default needs no services."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def _run_settings(
    env_overrides: dict[str, str], code: str = "import django; django.setup(); print('ok')"
) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {"SECRET_KEY", "DEBUG", "DATABASE_URL", "CELERY_BROKER_URL", "PORT", "SITE_URL", "OSCETHB_TEST_SETTINGS"}
    }
    env.update({"DJANGO_SETTINGS_MODULE": "oscethb.settings", **env_overrides})
    # An empty .env-free working copy is simulated by pointing read_env at nothing: the real .env only sets DEBUG.
    return subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )


def test_production_mode_refuses_to_start_without_secret_key() -> None:
    result = _run_settings({"DEBUG": "0"})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "x" * 60,
    "ALLOWED_HOSTS": "oscethb.example.org",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
}


def test_production_mode_starts_with_secret_key_and_broker() -> None:
    result = _run_settings(PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_production_mode_refuses_to_start_without_a_broker_instead_of_running_tasks_in_the_web_process() -> None:
    result = _run_settings({**PRODUCTION, "CELERY_BROKER_URL": ""})
    assert result.returncode != 0
    assert "CELERY_BROKER_URL is not set" in result.stderr
    check = _run_settings(
        {**PRODUCTION, "CELERY_BROKER_URL": ""},
        "import sys; from django.core.management import execute_from_command_line; "
        "execute_from_command_line(['manage.py', 'check', '--deploy'])",
    )
    assert check.returncode != 0
    assert "CELERY_BROKER_URL is not set" in check.stderr


def test_the_test_settings_run_tasks_in_process_without_a_broker() -> None:
    code = "import django; django.setup(); from django.conf import settings as s; print(s.CELERY_TASK_ALWAYS_EAGER)"
    result = _run_settings({"DEBUG": "0", "DJANGO_SETTINGS_MODULE": "oscethb.settings_test"}, code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_embedded_default_uses_sqlite_under_var_and_runs_tasks_in_process() -> None:
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME'], s.CELERY_TASK_ALWAYS_EAGER)"
    )
    result = _run_settings({"DEBUG": "1"}, code)
    assert result.returncode == 0, result.stderr
    engine, name, eager = result.stdout.split()
    assert engine == "django.db.backends.sqlite3"
    assert name.endswith("var/oscethb.sqlite3")
    assert eager == "True"


def test_postgres_url_gets_persistent_connections() -> None:
    code = "import django; django.setup(); from django.conf import settings as s; print(s.DATABASES['default']['CONN_MAX_AGE'])"
    result = _run_settings({"DEBUG": "1", "DATABASE_URL": "postgres://u@127.0.0.1:5432/x"}, code)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) == 60


def test_six_osce_languages_with_english_default(settings) -> None:
    assert [code for code, _ in settings.LANGUAGES] == ["en", "fr", "de", "it", "ru", "es"]
    assert settings.LANGUAGE_CODE == "en"


def test_the_filesystem_broker_of_make_run_keeps_its_messages_under_var_and_needs_no_result_store(tmp_path) -> None:
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "o = s.CELERY_BROKER_TRANSPORT_OPTIONS; "
        "print(s.CELERY_TASK_ALWAYS_EAGER, s.CELERY_RESULT_BACKEND, o['data_folder_in'] == o['data_folder_out'], "
        "o['data_folder_in'], o['control_folder'])"
    )
    folder = tmp_path / "celery"
    result = _run_settings(
        {"DEBUG": "1", "CELERY_BROKER_URL": "filesystem://", "CELERY_FILESYSTEM_DIR": str(folder)}, code
    )
    assert result.returncode == 0, result.stderr
    eager, backend, same, queue, control = result.stdout.split()
    assert (eager, backend, same) == ("False", "None", "True")
    assert Path(queue) == folder / "queue"
    assert Path(queue).is_dir()
    assert Path(control) == folder / "control"
    assert Path(control).is_dir()


def test_site_url_follows_the_port_served_unless_set() -> None:
    code = "import django; django.setup(); from django.conf import settings as s; print(s.SITE_URL)"
    assert _run_settings({"DEBUG": "1", "PORT": "8391"}, code).stdout.strip() == "http://127.0.0.1:8391"
    assert _run_settings({"DEBUG": "1"}, code).stdout.strip() == "http://127.0.0.1:8000"
    explicit = {"DEBUG": "1", "PORT": "8391", "SITE_URL": "https://oscethb.example.org"}
    assert _run_settings(explicit, code).stdout.strip() == "https://oscethb.example.org"


def test_production_process_compiles_each_template_once_and_freezes_the_startup_heap() -> None:
    """DEBUG=0: templates come from Django's cached loader (compiled once per process), and importing the WSGI
    application freezes what start-up allocated, so the garbage collector no longer walks it on every full pass."""
    code = (
        "import gc; from oscethb.wsgi import application; from django.template import engines; "
        "engine = engines['django'].engine; "
        "print(type(engine.template_loaders[0]).__module__, gc.get_freeze_count() > 50000)"
    )
    result = _run_settings(PRODUCTION, code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.template.loaders.cached", "True"]
