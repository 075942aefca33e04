#!/usr/bin/env bash
# The market's list page and list API under wrk against `greentech serve` on 127.0.0.1 (issue 4's throughput
# target: >= 200 requests/s with p99 <= 100 ms on 2 cores). A scratch SQLite database gets the reference and demo
# data plus OFFERS synthetic offers (`greentech bench market --keep`); each URL is measured RUNS times for
# DURATION with 2 threads and 8 connections, with the render cache (core.freshness) on and then off
# (GREENTECH_RENDER_CACHE=0: every page rendered afresh), after WARMUP of unmeasured requests (without it the
# first requests of each of the five workers fill its cache and their latency lands in the p99). Prints each
# run's figures and the medians.
set -euo pipefail
cd "$(dirname "$0")/.."
port=${PORT:-8013}
offers=${OFFERS:-5000}
runs=${RUNS:-3}
duration=${DURATION:-15s}
warmup=${WARMUP:-3s}
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
unset GREENTECH_DATABASE_URL
.venv/bin/greentech bench market --offers "$offers" --needs $((offers / 5)) --only index --keep "$scratch/var" >/dev/null
export GREENTECH_VAR_DIR=$scratch/var GREENTECH_DATABASE_URL=sqlite:///$scratch/var/bench.sqlite3
.venv/bin/greentech init --demo >/dev/null
ms() {  # wrk's 812.00us / 12.34ms / 1.02s in milliseconds
  awk '{v = $1 + 0; if ($1 ~ /us$/) v /= 1000; else if ($1 ~ /[0-9]s$/) v *= 1000; printf "%.1fms\n", v}'
}
measure() {  # $1: cache on/off
  GREENTECH_RENDER_CACHE=$1 setsid .venv/bin/greentech serve --port "$port" >"$scratch/serve-$1.log" 2>&1 &
  local server=$!
  for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$port/market/offers/" -o /dev/null && break; sleep 1; done
  for url in /market/offers/ /api/v1/offers/; do
    local rates=() p99s=()
    wrk -t2 -c8 -d"$warmup" "http://127.0.0.1:$port$url" >/dev/null  # every worker renders and caches once
    for run in $(seq 1 "$runs"); do
      out=$(wrk -t2 -c8 -d"$duration" --latency "http://127.0.0.1:$port$url")
      rate=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
      p99=$(awk '$1 == "99%" {print $2}' <<<"$out" | ms)
      p50=$(awk '$1 == "50%" {print $2}' <<<"$out" | ms)
      errors=$(grep -E "Non-2xx|Socket errors" <<<"$out" || true)
      echo "cache=$1 $url run $run: $rate req/s, p50 $p50, p99 $p99 ${errors:+($errors)}"
      rates+=("$rate"); p99s+=("$p99")
    done
    echo "cache=$1 $url median: $(printf '%s\n' "${rates[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p") req/s," \
      "p99 $(printf '%s\n' "${p99s[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p") (load: $(cut -d' ' -f1-3 /proc/loadavg))"
  done
  kill -- -"$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  sleep 2
}
measure 1
measure 0
