#!/usr/bin/env bash
# Benchmark: requests per second with and without the audit trail, on the
# synthetic data in the local PostgreSQL. Loopback only and bounded: wrk runs
# a fixed time per measurement (default 15 s) with a fixed number of
# connections; nothing leaves 127.0.0.1.
#
#   benches/audit.sh [officials] [cases] [seconds] [connections]
#
# Needs wrk (`apt-get install -y wrk`; installed here when missing and run as root).
# NETRA_AUDIT=off is used for the "without" runs only: it is a benchmark
# switch, refused in production.
set -euo pipefail
cd "$(dirname "$0")/.."
OFFICIALS=${1:-200000}
CASES=${2:-20000}
SECONDS_EACH=${3:-15}
CONNECTIONS=${4:-32}
PG=${NETRA_BENCH_PG:-postgres://postgres@127.0.0.1:5432}
DB=netra_bench_audit
PORT=18091

if ! command -v wrk >/dev/null; then
    if [ "$(id -u)" = 0 ]; then apt-get install -y -qq wrk >/dev/null; else echo "install wrk first" >&2; exit 1; fi
fi
cargo build --release -q
psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
export DATABASE_URL="$PG/$DB" RUST_LOG=warn
export NETRA_DEV_SECRET=bench-only-secret-bench-only-secret-00 NETRA_LISTEN=127.0.0.1:$PORT
./target/release/netra migrate
echo "== load: $OFFICIALS officials, $CASES cases"
./target/release/netra seed synthetic --officials "$OFFICIALS" --cases "$CASES" 2>&1 | grep -E "^synthetic"

TOKEN=$(./target/release/netra token --agency BAWASLU-16 --ttl 2h)
NUMBER=$(psql -Atq "$PG/$DB" -c "SELECT c.number FROM \"case\" c JOIN reporter r ON r.case_id = c.id WHERE c.province_code = '16' ORDER BY c.id LIMIT 1")
PAGE='query Page { cases(first: 10) { totalCount edges { node { number state reporter { name } evidence { sha256 } allegations { official { nip fullName } } } } } }'
ONE="query One { case(number: \"$NUMBER\") { number state reporter { name phone } } }"

script() { # $1 = GraphQL query
    BODY=$(python3 -c 'import json, sys; print(json.dumps({"query": sys.argv[1]}))' "$1")
    cat > /tmp/netra-bench.lua <<EOF
wrk.method = "POST"
wrk.body = [==[$BODY]==]
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $TOKEN"
EOF
}

SERVER=
stop() { if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; SERVER=; fi; }
trap stop EXIT
start() { # $1 = on | off
    NETRA_AUDIT=$1 ./target/release/netra serve > /tmp/netra-bench-serve.log 2>&1 &
    SERVER=$!
    for _ in $(seq 1 50); do curl -sf "127.0.0.1:$PORT/readyz" >/dev/null && return; sleep 0.2; done
    echo "server did not start" >&2; exit 1
}
measure() { # $1 = label
    # The query must answer with data and no error, or the numbers mean nothing.
    curl -s "127.0.0.1:$PORT/graphql" -H 'content-type: application/json' -H "authorization: Bearer $TOKEN" \
        -d "$BODY" | python3 -c 'import json, sys; r = json.load(sys.stdin); sys.exit("bad answer: %s" % r if "errors" in r or not r.get("data") else 0)'
    wrk -t1 -c4 -d3s -s /tmp/netra-bench.lua "http://127.0.0.1:$PORT/graphql" >/dev/null # warm-up
    local out
    out=$(wrk -t1 -c"$CONNECTIONS" -d"${SECONDS_EACH}s" --latency -s /tmp/netra-bench.lua "http://127.0.0.1:$PORT/graphql")
    printf "%-34s %10s req/s   p50 %8s   p99 %8s   non-2xx: %s\n" "$1" \
        "$(awk '/Requests\/sec/ { print $2 }' <<<"$out")" \
        "$(awk '$1 == "50%" { print $2 }' <<<"$out")" \
        "$(awk '$1 == "99%" { print $2 }' <<<"$out")" \
        "$(awk '/Non-2xx/ { print $NF }' <<<"$out" | grep . || echo 0)"
}

echo "== $CONNECTIONS connections, ${SECONDS_EACH} s per measurement, BAWASLU-16 token"
# Two rounds, alternating, so that a disturbance on the machine shows.
for ROUND in 1 2; do
    for AUDIT in off on; do
        start "$AUDIT"
        script "$PAGE"; measure "page of 10 cases, audit $AUDIT"
        script "$ONE";  measure "one case by number, audit $AUDIT"
        stop
    done
done
sleep 1
EVENTS=$(psql -Atq "$PG/$DB" -c "SELECT COUNT(*) FROM audit_event")
BATCHES=$(psql -Atq "$PG/$DB" -c "SELECT n_tup_upd FROM pg_stat_user_tables WHERE relname = 'audit_chain'")
echo "audit events written: $EVENTS in $BATCHES transactions ($(awk -v e="$EVENTS" -v b="$BATCHES" 'BEGIN { printf "%.1f", e / (b > 0 ? b : 1) }') events per commit)"
/usr/bin/time -f "verify wall %e s" ./target/release/netra audit verify
