#!/usr/bin/env bash
# Benchmark of the change feed on the local PostgreSQL, loopback only and
# bounded by a number of writes:
#   1. entries/s through the outbox (concurrent intakes, one entry each), to
#      100 graphql-ws subscribers and one webhook receiver, with
#      commit-to-push and commit-to-delivery latency p50/p99;
#   2. the intake mutation's req/s with no subscriber and no webhook;
#   3. the cost of the outbox write itself: the same number of writing
#      transactions with and without `change::record`'s statements (lock,
#      insert, notify), run by psql.
#
#   benches/changes.sh [entries] [subscribers] [writers]
#
# Uses the client in benches/changes.mjs with the packages pinned in
# .ci/changes (graphql-ws, ws).
set -euo pipefail
cd "$(dirname "$0")/.."
ENTRIES=${1:-1000}
SUBSCRIBERS=${2:-100}
WRITERS=${3:-8}
PG=${NETRA_BENCH_PG:-postgres://postgres@127.0.0.1:5432}
DB=netra_bench_changes
PORT=18095

cargo build --release -q --bin netra
(cd .ci/changes && npm ci --no-audit --no-fund --silent --ignore-scripts)
psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
export DATABASE_URL="$PG/$DB" RUST_LOG=warn
export NETRA_DEV_SECRET=bench-only-secret-bench-only-secret-00 NETRA_LISTEN=127.0.0.1:$PORT
export NETRA_WEBHOOK_ALLOW_PRIVATE=true
./target/release/netra migrate
./target/release/netra seed demo >/dev/null
TOKEN=$(./target/release/netra token --agency BAWASLU-16.73 --permission read --permission write --ttl 2h)
HOOK_TOKEN=$(./target/release/netra token --agency BAWASLU-16.73 --permission read --permission webhooks --ttl 2h)
NIP=$(psql -Atq "$PG/$DB" -c "SELECT nip FROM official WHERE nip IS NOT NULL ORDER BY id LIMIT 1")
export TOKEN HOOK_TOKEN NIP

SERVER=
stop() { if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; SERVER=; fi; }
trap stop EXIT
./target/release/netra serve >/tmp/netra-bench-changes.log 2>&1 &
SERVER=$!
for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 1; done

# The module resolves graphql-ws and ws from .ci/changes.
cp benches/changes.mjs .ci/changes/bench.tmp.mjs
trap 'rm -f .ci/changes/bench.tmp.mjs; stop' EXIT
echo "== $SUBSCRIBERS subscribers and a webhook"
SUBSCRIBERS=$SUBSCRIBERS ENTRIES=$ENTRIES WRITERS=$WRITERS node .ci/changes/bench.tmp.mjs "http://127.0.0.1:$PORT"
echo "== no subscriber, no webhook"
SUBSCRIBERS=0 WEBHOOK=off ENTRIES=$ENTRIES WRITERS=$WRITERS node .ci/changes/bench.tmp.mjs "http://127.0.0.1:$PORT"
stop

echo "== the outbox write alone ($ENTRIES transactions each, psql, one connection)"
# The baseline writes a row of the same shape to a plain table, so that both
# pay a commit's WAL flush; the difference is the lock, the outbox's indexes and the NOTIFY.
psql -q "$PG/$DB" -c "CREATE TABLE IF NOT EXISTS bench_baseline (id bigserial PRIMARY KEY, kind text, case_id bigint, occurred_at timestamptz, recorded_at timestamptz, action text)"
BARE="BEGIN; INSERT INTO bench_baseline (kind, case_id, occurred_at, recorded_at, action) VALUES ('CASE_STEP', NULL, now(), now(), 'CORRECT') RETURNING id; COMMIT;"
OUTBOX="BEGIN; SELECT pg_advisory_xact_lock(7954892351425373032); INSERT INTO change_entry (kind, case_id, occurred_at, recorded_at, action) VALUES ('CASE_STEP', NULL, now(), now(), 'CORRECT') RETURNING id; SELECT pg_notify('netra_changes', '0'); COMMIT;"
t() { local start end; start=$(date +%s%N); for _ in $(seq 1 "$ENTRIES"); do echo "$1"; done | psql -q "$PG/$DB" >/dev/null; end=$(date +%s%N); echo $(( (end - start) / 1000 / ENTRIES )); }
bare=$(t "$BARE")
outbox=$(t "$OUTBOX")
echo "a writing transaction without the outbox: ${bare} µs; with it: ${outbox} µs; the outbox adds $((outbox - bare)) µs per transaction"
