"""WSGI entry point for gunicorn (`greentech serve`)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "greentech.settings")
application = get_wsgi_application()
