"""The patent database's background jobs (core.jobs)."""

from __future__ import annotations

from greentech.core.jobs import job


@job(
    "patents.label",
    schedule="0 2 * * *",
    lease=1800,
    description="Text labels for patents without codes, and relabelling at a new taxonomy version",
)
def label(context, limit: int | None = None, everything: bool = False) -> dict:
    from greentech.patents import labels

    return labels.relabel(
        limit=limit,
        everything=everything,
        progress=lambda done, total: context.progress(done, total, "patents labelled"),
    )
