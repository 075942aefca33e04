"""The benchmarks stay out of the web app: a web worker's start-up (the WSGI application and every URL's view)
imports no module of `greentech.bench`, and `greentech bench` still finds every run."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from greentech.config import PROJECT_DIR

STARTUP = """
import json, sys
from greentech.wsgi import application
from django.urls import get_resolver

def walk(patterns):
    for pattern in patterns:
        walk(getattr(pattern, "url_patterns", []))

walk(get_resolver().url_patterns)
print(json.dumps(sorted(name for name in sys.modules if name.startswith("greentech."))))
"""


def test_a_web_worker_start_up_imports_no_benchmark_module():
    env = {**os.environ, "PYTHONPATH": str(PROJECT_DIR), "DJANGO_SETTINGS_MODULE": "greentech.settings"}
    done = subprocess.run([sys.executable, "-c", STARTUP], env=env, capture_output=True, text=True, check=True)
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert "greentech.market.views" in loaded and "greentech.patents.views" in loaded  # the app did start
    assert [name for name in loaded if name.startswith("greentech.bench")] == []


@pytest.mark.django_db
def test_the_bench_command_finds_every_run():
    with pytest.raises(CommandError) as error:
        call_command("bench", "nonsense", stdout=io.StringIO(), stderr=io.StringIO())
    assert "available: classify, jobs, market, match, patents" in str(error.value)
