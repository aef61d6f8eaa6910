#!/usr/bin/env bash
# Overload and outage drill against a release build on PostgreSQL.
# Loopback only and bounded: every wrk run has a fixed duration and
# connection count; nothing leaves 127.0.0.1.
#
#   benches/overload.sh [seconds-per-run]   (NETRA_BIN=path: that binary, no build)
#
# 1. Overload: wrk at 1,000 and 3,000 connections on an audited page query
#    (agency rate limit off, so that admission control is what is measured):
#    status-code mix, p99, peak RSS (VmHWM from /proc) and RSS afterwards.
# 2. Flood: anonymous requests from one address with the default limits:
#    how many get 429.
# 3. Outage drill: netra on a PostgreSQL cluster of its own (port 5439,
#    created with pg_createcluster, never the shared one), stopped and
#    started under polling: time to the first 503, the slowest answer during
#    the outage, and time to the first 200 after PostgreSQL is back.
#
# Needs wrk (installed when missing and run as root) and pg_createcluster.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-15}
PG=${NETRA_BENCH_PG:-postgres://postgres@127.0.0.1:5432}
DB=netra_bench_overload
PORT=18093
DRILL_PORT=5439
DRILL_CLUSTER=netra_drill
PGVER=$(ls /usr/lib/postgresql | sort -n | tail -1)

if ! command -v wrk >/dev/null; then
    if [ "$(id -u)" = 0 ]; then apt-get install -y -qq wrk >/dev/null; else echo "install wrk first" >&2; exit 1; fi
fi
# Each side (wrk, netra) needs one descriptor per connection: raise the soft limit to the hard one.
ulimit -n "$(ulimit -Hn)"
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 8192 ]; then echo "ulimit -n is below 8192" >&2; exit 1; fi
BIN=${NETRA_BIN:-./target/release/netra}
[ -n "${NETRA_BIN:-}" ] || cargo build --release -q
export -n NETRA_BIN
export RUST_LOG=warn NETRA_DEV_SECRET=bench-only-secret-bench-only-secret-00 NETRA_LISTEN=127.0.0.1:$PORT

SERVER=
stop() { if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; SERVER=; fi; }
cleanup() {
    stop
    if pg_lsclusters -h 2>/dev/null | awk '{print $2}' | grep -qx "$DRILL_CLUSTER"; then
        pg_dropcluster --stop "$PGVER" "$DRILL_CLUSTER" >/dev/null 2>&1 || true
    fi
}
trap cleanup EXIT
start() { # env assignments for the server, e.g. NETRA_RATE_LIMIT_AGENCY=0
    env -u NETRA_BIN "$@" "$BIN" serve > /tmp/netra-overload-serve.log 2>&1 &
    SERVER=$!
    for _ in $(seq 1 100); do curl -sf "127.0.0.1:$PORT/readyz" >/dev/null && return; sleep 0.1; done
    echo "server did not start" >&2; cat /tmp/netra-overload-serve.log >&2; exit 1
}
rss() { awk -v k="$2:" '$1 == k { printf "%d MB", $2 / 1024 }' "/proc/$1/status"; }

script() { # $1 = GraphQL query, $2 = token or empty
    local body
    body=$(python3 -c 'import json, sys; print(json.dumps({"query": sys.argv[1]}))' "$1")
    cat > /tmp/netra-overload.lua <<EOF
wrk.method = "POST"
wrk.body = [==[$body]==]
wrk.headers["Content-Type"] = "application/json"
$( [ -n "$2" ] && echo "wrk.headers[\"Authorization\"] = \"Bearer $2\"" )
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) statuses = {} end
function response(status, headers, body) statuses[status] = (statuses[status] or 0) + 1 end
function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    for s, n in pairs(t:get("statuses")) do total[s] = (total[s] or 0) + n end
  end
  local line = "statuses:"
  for s, n in pairs(total) do line = line .. " " .. s .. "=" .. n end
  print(line)
  print(string.format("p99: %.1f ms; socket errors: connect %d, read %d, timeout %d",
    latency:percentile(99) / 1000, summary.errors.connect, summary.errors.read, summary.errors.timeout))
end
EOF
}

echo "== setup: $DB with the demo data"
psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
DATABASE_URL="$PG/$DB" "$BIN" seed demo >/dev/null 2>&1
TOKEN=$("$BIN" token --agency BAWASLU-16 --ttl 2h)
PAGE='query Page { cases(first: 10) { totalCount edges { node { number state reporter { name } } } } }'

echo "== 1. overload (audited page query, agency limit off, NETRA_MAX_IN_FLIGHT default)"
start DATABASE_URL="$PG/$DB" NETRA_RATE_LIMIT_AGENCY=0
echo "idle RSS: $(rss "$SERVER" VmRSS)"
script "$PAGE" "$TOKEN"
for c in 1000 3000; do
    echo "-- $c connections, ${SECONDS_EACH}s"
    wrk -t2 -c"$c" -d"${SECONDS_EACH}s" --timeout 10s -s /tmp/netra-overload.lua "http://127.0.0.1:$PORT/graphql" \
        | grep -E "Requests/sec|statuses|p99"
    echo "peak RSS so far: $(rss "$SERVER" VmHWM)"
    sleep 5
    echo "RSS 5 s after: $(rss "$SERVER" VmRSS)"
done
curl -s "127.0.0.1:$PORT/metrics" | grep -E "^netra_requests_shed_total|^netra_requests_total" | head -8
stop

echo "== 2. flood: anonymous, one address, default limits, 5 s at 64 connections"
start DATABASE_URL="$PG/$DB"
script '{ regions { code } }' ""
wrk -t2 -c64 -d5s -s /tmp/netra-overload.lua "http://127.0.0.1:$PORT/graphql" | grep -E "Requests/sec|statuses"
stop

echo "== 3. outage drill: a cluster of its own on port $DRILL_PORT"
pg_createcluster "$PGVER" "$DRILL_CLUSTER" --port "$DRILL_PORT" >/dev/null -- --auth=trust
pg_ctlcluster "$PGVER" "$DRILL_CLUSTER" start
DRILL_URL="postgres://postgres@127.0.0.1:$DRILL_PORT/postgres"
DATABASE_URL="$DRILL_URL" "$BIN" seed demo >/dev/null 2>&1
start DATABASE_URL="$DRILL_URL"
python3 - "$PORT" "$TOKEN" "$PGVER" "$DRILL_CLUSTER" <<'EOF'
import json, subprocess, sys, time, urllib.request, urllib.error
port, token, ver, cluster = sys.argv[1:5]
body = json.dumps({"query": "{ cases(first: 5) { totalCount } }"}).encode()
def ask():
    req = urllib.request.Request(f"http://127.0.0.1:{port}/graphql", data=body, method="POST",
        headers={"content-type": "application/json", "authorization": f"Bearer {token}"})
    t = time.monotonic()
    try:
        with urllib.request.urlopen(req, timeout=15) as r:
            status, data = r.status, json.load(r)
    except urllib.error.HTTPError as e:
        status, data = e.code, json.load(e)
    code = (data.get("errors") or [{}])[0].get("extensions", {}).get("code", "OK")
    return status, code, time.monotonic() - t
assert ask()[0] == 200
subprocess.run(["pg_ctlcluster", ver, cluster, "stop", "-m", "immediate"], check=True)
stopped = time.monotonic()
first_503 = None
slowest = 0.0
seen = set()
while time.monotonic() - stopped < 5:
    status, code, took = ask()
    seen.add((status, code))
    slowest = max(slowest, took)
    if status == 503 and first_503 is None:
        first_503 = time.monotonic() - stopped
    time.sleep(0.1)
ready = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{time_total}",
                        f"http://127.0.0.1:{port}/readyz"], capture_output=True, text=True).stdout
subprocess.run(["pg_ctlcluster", ver, cluster, "start"], check=True)
back = time.monotonic()
while True:
    status, code, took = ask()
    if status == 200 and code == "OK":
        break
    if time.monotonic() - back > 30:
        sys.exit("did not recover within 30 s")
    time.sleep(0.05)
print(f"answers during the outage: {sorted(seen)}")
print(f"time from stop to the first 503: {first_503:.2f} s; slowest answer during the outage: {slowest:.2f} s")
print(f"/readyz during the outage: HTTP {ready} s")
print(f"time from PostgreSQL's return (pg_ctlcluster start returned) to the first 200: {time.monotonic() - back:.2f} s")
EOF
stop
psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)"
