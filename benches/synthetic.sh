#!/usr/bin/env bash
# Benchmark: load the national-scale synthetic data into the local PostgreSQL,
# then time a deep 50-case page for three scopes. Traffic goes to 127.0.0.1
# only and is bounded (3 warm-up + N timed requests per scope).
#
#   benches/synthetic.sh [officials] [cases] [requests]
set -euo pipefail
cd "$(dirname "$0")/.."
OFFICIALS=${1:-1000000}
CASES=${2:-100000}
REQUESTS=${3:-20}
PG=${NETRA_BENCH_PG:-postgres://postgres@127.0.0.1:5432}
DB=netra_bench
PORT=18089

cargo build --release -q
psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
export DATABASE_URL="$PG/$DB" RUST_LOG=warn
export NETRA_DEV_SECRET=bench-only-secret-bench-only-secret-00 NETRA_LISTEN=127.0.0.1:$PORT
./target/release/netra migrate
echo "== load: $OFFICIALS officials, $CASES cases"
/usr/bin/time -f "load wall %e s, peak RSS %M KiB" ./target/release/netra seed synthetic --officials "$OFFICIALS" --cases "$CASES" 2>&1 | grep -E "^(synthetic|load)"

./target/release/netra serve > /tmp/netra-bench-serve.log 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do curl -sf "127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.2; done

QUERY='{"query":"{ cases(first: 50) { totalCount edges { node { number state region { name } allegations { official { nip fullName employer { code } } forwardings { decisions { sanctionCode } } } timeline { action } } } } }"}'
echo "== deep page of 50 cases, mean of $REQUESTS requests"
for AGENCY in BAWASLU BAWASLU-16 BAWASLU-16.73; do
    TOKEN=$(./target/release/netra token --agency "$AGENCY")
    call() { curl -s -o /dev/null -w "%{time_total}\n" "127.0.0.1:$PORT/graphql" -H 'content-type: application/json' -H "authorization: Bearer $TOKEN" -d "$QUERY"; }
    for _ in 1 2 3; do call >/dev/null; done
    for _ in $(seq 1 "$REQUESTS"); do call; done | awk -v a="$AGENCY" '{ s += $1 } END { printf "%-14s %.1f ms\n", a, s / NR * 1000 }'
done
echo "server peak RSS: $(grep VmHWM /proc/$SERVER/status | awk '{print $2, $3}')"
