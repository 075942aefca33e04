"""Jobs declared for the job system's own tests (core/tests/test_jobs.py), loaded into a real worker with
`greentech jobs --import greentech.testing.jobs worker`. Not part of the platform's jobs."""

from __future__ import annotations

import time

from django.db import models

from greentech.core.jobs import job
from greentech.inbox import kinds


class ProbeKind(models.TextChoices):
    JOB_PROBE = "job_probe", "job probe"


kinds.register(ProbeKind)


@job("testing.steps", retries=3, backoff=1, lease=5)
def steps(context, steps: int = 5, pause: float = 0.0, username: str = "") -> dict:
    """Tell `username` once per step, pausing between steps: a job that a test can kill half-way. Each step's
    notification carries a key, so running the job again tells nobody twice."""
    from django.contrib.auth import get_user_model

    from greentech.inbox.services import notify

    user = get_user_model().objects.get(username=username)
    for step in range(steps):
        notify([user], "job_probe", f"step {step}", once=f"{context.key}:step:{step}")
        context.progress(step + 1, steps, f"step {step}")
        time.sleep(pause)
    return {"steps": steps}


@job("testing.noop", retries=0)
def noop(context) -> None:
    """Nothing: what the job system itself costs (`greentech bench jobs`)."""
