#!/usr/bin/env python
"""Django's manage.py, kept for tooling; `greentech` is the same thing as a console script."""

from greentech.cli import main

if __name__ == "__main__":
    main()
