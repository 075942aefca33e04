"""The `greentech` console script: the platform's management commands under one name.

`greentech init`, `greentech import organizations FILE`, `greentech serve` ... are Django management commands
living in the apps' management/commands folders; this wrapper only selects the settings module and lists the
platform's own commands first in `greentech help`.
"""

from __future__ import annotations

import os
import sys

PLATFORM_APPS = ("greentech.",)


def _platform_commands() -> list[tuple[str, str]]:
    from django.core.management import get_commands, load_command_class

    rows = []
    for name, app in sorted(get_commands().items()):
        if app.startswith(PLATFORM_APPS):
            command = load_command_class(app, name)
            rows.append((name, (command.help or "").strip().splitlines()[0] if command.help else ""))
    return rows


def _metrics_folder() -> None:
    """Before anything imports prometheus_client: the server's processes (gunicorn's workers, the job worker it
    starts) write their metrics into one folder that /metrics adds up; emptied at every start."""
    import shutil

    from greentech import config

    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        return
    folder = config.var_dir() / "prometheus"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "greentech.settings")
    argv = list(sys.argv if argv is None else argv)
    argv[0] = "greentech"
    if len(argv) > 1 and argv[1] == "serve":
        _metrics_folder()
    from django.core.exceptions import ImproperlyConfigured

    try:
        import django

        django.setup()
    except ImproperlyConfigured as error:
        sys.stderr.write(f"greentech: configuration error: {error}\n")
        raise SystemExit(2) from error
    if len(argv) == 1 or argv[1] in {"help", "--help", "-h"} and len(argv) == 2:
        print("usage: greentech COMMAND [options]   (greentech COMMAND --help for a command's options)\n")
        print("Platform commands / 平台命令:")
        for name, summary in _platform_commands():
            print(f"  {name:<14} {summary}")
        print("\nAll Django management commands are available as well: greentech help --all")
        return
    if argv[1:3] == ["help", "--all"]:
        argv = [argv[0], "help"]
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":  # pragma: no cover
    main()
