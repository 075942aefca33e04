#!/usr/bin/env bash
# Schemathesis against the platform's own OpenAPI schema, as the demo administrator (so writes are exercised too),
# on a scratch SQLite database with the reference and demo data. Only 127.0.0.1 is contacted.
set -euo pipefail
cd "$(dirname "$0")/.."
port=${PORT:-8765}
examples=${MAX_EXAMPLES:-30}
scratch=$(mktemp -d)
export GREENTECH_VAR_DIR=$scratch
unset GREENTECH_DATABASE_URL
.venv/bin/greentech init --demo >/dev/null
token=$(.venv/bin/python -c "
import os, django
os.environ['DJANGO_SETTINGS_MODULE'] = 'greentech.settings'
django.setup()
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token
print(Token.objects.get_or_create(user=User.objects.get(username='demo-admin'))[0].key)")
setsid .venv/bin/greentech serve --port "$port" --workers 2 >"$scratch/serve.log" 2>&1 &
server=$!
trap 'kill -- -$server 2>/dev/null || true; rm -rf "$scratch"' EXIT
for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$port/api/schema/" -o /dev/null && break; sleep 1; done
status=0
.venv/bin/schemathesis run "http://127.0.0.1:$port/api/schema/" --checks not_a_server_error \
  --max-examples "$examples" --workers 2 -H "Authorization: Token $token" || status=$?
echo "server errors logged: $(grep -c "Internal Server Error" "$scratch/serve.log" || true)"
grep -A30 "Internal Server Error" "$scratch/serve.log" | grep -E "Error|Exception" | sort | uniq -c | head -20 || true
exit $status
