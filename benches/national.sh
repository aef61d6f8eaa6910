#!/usr/bin/env bash
# National-scale reads (issue 9): Q1-Q4 against a release build over the
# synthetic national data, next to the ideal single SQL statement of each
# operation run through pgbench (the raw-SQL floor), in one run.
#
#   benches/national.sh            # everything (creates and loads the cluster on first use)
#   RELOAD=1 benches/national.sh   # drop and reload the data first
#
# It creates its OWN PostgreSQL 15 cluster `netra_bench` on port 5433
# (pg_createcluster; JIT off; pg_stat_statements and auto_explain preloaded)
# and never touches the shared server on 5432. Stop it afterwards with
# `pg_ctlcluster 15 netra_bench stop` (STOP_CLUSTER=1 does it at the end).
#
# Reports per operation and audit setting: req/s, p50/p99 (wrk, 16
# connections, warm-up, ROUNDS rounds of SECS seconds), the server's RSS,
# SQL statements per request counted by pg_stat_statements, and the pgbench
# floor with the ratio to it. Then prints EXPLAIN (ANALYZE, BUFFERS) of every
# statement netra sends for each operation (auto_explain, one request each).
# Everything is bounded in time (`timeout`), and traffic stays on 127.0.0.1.
#
# Knobs (environment): OFFICIALS (1000000) CASES (100000) SECS (10) WARM (3)
# ROUNDS (2) CONNECTIONS (16) AUDIT_MODES ("on off") OPS ("Q1 Q2 Q3 Q4") SKIP_EXPLAIN (0)
# NETRA_BIN (default: build and use target/release/netra).
set -euo pipefail
cd "$(dirname "$0")/.."

OFFICIALS=${OFFICIALS:-1000000}
CASES=${CASES:-100000}
SECS=${SECS:-10}
WARM=${WARM:-3}
ROUNDS=${ROUNDS:-2}
CONNECTIONS=${CONNECTIONS:-16}
AUDIT_MODES=${AUDIT_MODES:-on off}
VER=15
CLUSTER=netra_bench
PGPORT_BENCH=5433
APP_PORT=18090
DB=netra
PGURL="postgres://postgres@127.0.0.1:$PGPORT_BENCH"
LOG=/var/log/postgresql/postgresql-$VER-$CLUSTER.log
WORK=$(mktemp -d /tmp/netra-national.XXXXXX)
REGENCY=16.74
AGENCY=BAWASLU-16

psqlb() { timeout 600 psql -X -q -v ON_ERROR_STOP=1 "$PGURL/$DB" "$@"; }

# ---- tools --------------------------------------------------------------
if ! command -v wrk >/dev/null; then
    if [ "$(id -u)" = 0 ]; then timeout 300 apt-get install -y -qq wrk >/dev/null; else echo "install wrk first (apt-get install -y wrk)" >&2; exit 1; fi
fi
command -v pgbench >/dev/null || { echo "pgbench (postgresql-client) is needed" >&2; exit 1; }

# ---- the cluster ----------------------------------------------------------
if ! pg_lsclusters -h | awk '{print $1"/"$2}' | grep -qx "$VER/$CLUSTER"; then
    echo "== creating cluster $VER/$CLUSTER on port $PGPORT_BENCH"
    timeout 120 pg_createcluster "$VER" "$CLUSTER" -p "$PGPORT_BENCH" \
        -o jit=off \
        -o "shared_preload_libraries=pg_stat_statements,auto_explain" \
        -o pg_stat_statements.max=10000 -o pg_stat_statements.track=top \
        -o shared_buffers=1GB -o work_mem=16MB -o effective_cache_size=4GB \
        -o max_connections=100 \
        -o synchronous_commit=on -o random_page_cost=1.1 \
        -- --auth-local=trust --auth-host=trust >/dev/null
    # Loopback only. Written to conf.d rather than passed with -o: whether
    # pg_createcluster quotes an -o value depends on its characters, and an
    # unquoted address is a syntax error of postgresql.conf.
    echo "listen_addresses = '127.0.0.1'" > "/etc/postgresql/$VER/$CLUSTER/conf.d/netra-bench.conf"
fi
timeout 60 pg_ctlcluster "$VER" "$CLUSTER" start 2>/dev/null || true
for _ in $(seq 1 50); do pg_isready -q -h 127.0.0.1 -p "$PGPORT_BENCH" && break; sleep 0.2; done

# ---- the build and the data ---------------------------------------------
if [ -n "${NETRA_BIN:-}" ]; then
    # Another build (e.g. a debug one, to count statements and see plans
    # while a release build is not available): req/s then mean nothing.
    BIN=$NETRA_BIN
    export -n NETRA_BIN # not a setting of netra's: keep it out of the server's environment
    echo "== using $BIN (req/s and latencies mean something only if it is a release build)"
else
    echo "== release build"
    timeout 3600 cargo build --release -q
    BIN=./target/release/netra
fi
export DATABASE_URL="$PGURL/$DB" RUST_LOG=warn
export NETRA_DEV_SECRET=bench-only-secret-bench-only-secret-00 NETRA_LISTEN=127.0.0.1:$APP_PORT
loaded=$(timeout 30 psql -X -Atq "$PGURL/postgres" -c "SELECT 1 FROM pg_database WHERE datname = '$DB'" || true)
if [ "${RELOAD:-0}" = 1 ] || [ "$loaded" != 1 ]; then
    timeout 60 psql -X -q "$PGURL/postgres" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
    psqlb -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements"
    timeout 600 $BIN migrate
    echo "== load: $OFFICIALS officials, $CASES cases"
    /usr/bin/time -f "load wall %e s, peak RSS %M KiB" timeout 5400 $BIN seed synthetic --officials "$OFFICIALS" --cases "$CASES" 2>&1 | grep -E "^(synthetic|load)" || true
    psqlb -c "VACUUM ANALYZE"
else
    # New migrations (indexes) on already loaded data.
    timeout 1800 $BIN migrate
    psqlb -c "ANALYZE"
fi
echo "data: $(psqlb -Atc "SELECT (SELECT count(*) FROM official) || ' officials, ' || (SELECT count(*) FROM \"case\") || ' cases, ' || (SELECT count(*) FROM allegation) || ' allegations'")"

# ---- the operations -----------------------------------------------------
NUMBER=$(psqlb -Atc "SELECT number FROM \"case\" c WHERE c.regency_code = '$REGENCY' AND EXISTS (SELECT 1 FROM allegation a WHERE a.case_id = c.id) ORDER BY id LIMIT 1")
NESTING='number state receivedOn region { code name } allegations { violationCode official { nip fullName } } sanctions { sanctionCode severity }'
declare -A QUERY
QUERY[Q1]="query Q1 { cases(filter: {regionCode: \"$REGENCY\"}, first: 50) { edges { node { $NESTING } } } }"
QUERY[Q2]="query Q2 { case(number: \"$NUMBER\") { $NESTING } }"
QUERY[Q3]='query Q3 { statistics(groupBy: [VIOLATION_CATEGORY]) { rows { key label counts { cases } } } }'
QUERY[Q4]="query Q4 { officials(filter: {workRegionCode: \"$REGENCY\"}, first: 20) { edges { node { nip fullName cases { number state sanctions { sanctionCode } } } } } }"
OPS=${OPS:-Q1 Q2 Q3 Q4}
TOKEN=$($BIN token --agency "$AGENCY" --ttl 3h)

for op in $OPS; do
    body=$(python3 -c 'import json, sys; print(json.dumps({"query": sys.argv[1]}))' "${QUERY[$op]}")
    printf '%s' "$body" > "$WORK/$op.json"
    cat > "$WORK/$op.lua" <<EOF
wrk.method = "POST"
wrk.body = [==[$body]==]
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $TOKEN"
EOF
done

# The raw-SQL floor: the ideal single statement of each operation, with the
# policy of a Bawaslu province office (Sumatera Selatan) written in by hand
# (Q3 groups by act; folding the acts into categories is a CASE over the
# same rows, or 20 rows of work in the client).
cat > "$WORK/Q1.sql" <<EOF
SELECT c.number, c.state, c.received_on, r.code, r.name,
  (SELECT json_agg(json_build_object('v', a.violation_code, 'nip', o.nip, 'name', o.full_name))
     FROM allegation a LEFT JOIN official o ON o.id = a.official_id WHERE a.case_id = c.id),
  (SELECT json_agg(json_build_object('code', d.sanction_code, 'sev', d.severity))
     FROM forwarding f JOIN agency_decision d ON d.forwarding_id = f.id JOIN allegation a2 ON a2.id = f.allegation_id
    WHERE a2.case_id = c.id AND d.sanction_code IS NOT NULL AND d.kind NOT IN ('VERIFICATION', 'RECOMMENDATION'))
FROM "case" c JOIN region r ON r.code = c.region_code
WHERE c.province_code = '16' AND c.regency_code = '$REGENCY'
ORDER BY c.received_on DESC, c.id DESC LIMIT 50;
EOF
sed -e "s|WHERE c.province_code = '16' AND c.regency_code = '$REGENCY'|WHERE c.province_code = '16' AND c.number = '$NUMBER'|" "$WORK/Q1.sql" > "$WORK/Q2.sql"
# Q3's ideal statement reads the province's cases alone: each case carries
# the categories of its acts as a bit set (migration m20261207_000001).
cat > "$WORK/Q3.sql" <<'EOF'
SELECT count(*) FILTER (WHERE violation_categories & 1 <> 0), count(*) FILTER (WHERE violation_categories & 2 <> 0),
       count(*) FILTER (WHERE violation_categories & 4 <> 0), count(*) FILTER (WHERE violation_categories & 8 <> 0),
       count(*) FILTER (WHERE violation_categories & 16 <> 0), count(*) FILTER (WHERE violation_categories & 32 <> 0),
       count(*) FILTER (WHERE violation_categories & 64 <> 0), count(*) FILTER (WHERE violation_categories & 128 <> 0),
       count(*) FILTER (WHERE violation_categories = 0)
FROM "case" WHERE province_code = '16';
EOF
cat > "$WORK/Q4.sql" <<EOF
SELECT o.nip, o.full_name,
  (SELECT json_agg(json_build_object('n', c.number, 's', c.state))
     FROM allegation a JOIN "case" c ON c.id = a.case_id WHERE a.official_id = o.id AND c.province_code = '16')
FROM official o
WHERE o.work_region_code IN (SELECT code FROM region WHERE regency_code = '$REGENCY')
  AND EXISTS (SELECT 1 FROM allegation a JOIN "case" c ON c.id = a.case_id WHERE a.official_id = o.id AND c.province_code = '16')
ORDER BY o.full_name, o.id LIMIT 20;
EOF

SERVER=
stop_server() { if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; SERVER=; fi; }
cleanup() { stop_server; rm -rf "$WORK"; if [ "${STOP_CLUSTER:-0}" = 1 ]; then pg_ctlcluster "$VER" "$CLUSTER" stop || true; fi; }
trap cleanup EXIT
start_server() { # $1 = audit on|off
    # The agency rate limit (6,000/min) would answer most of the load with 429: off here.
    NETRA_AUDIT=$1 NETRA_RATE_LIMIT_AGENCY=0 $BIN serve > "$WORK/serve.log" 2>&1 &
    SERVER=$!
    for _ in $(seq 1 100); do curl -sf "127.0.0.1:$APP_PORT/readyz" >/dev/null && return; sleep 0.2; done
    echo "server did not start:" >&2; cat "$WORK/serve.log" >&2; exit 1
}
call() { # $1 = op; prints the body
    timeout 30 curl -s "127.0.0.1:$APP_PORT/graphql" -H 'content-type: application/json' -H "authorization: Bearer $TOKEN" -d @"$WORK/$1.json"
}
check() { # the answer must carry data and no error, or the numbers mean nothing
    call "$1" | python3 -c 'import json, sys; r = json.load(sys.stdin); sys.exit("bad answer: %s" % str(r)[:400] if "errors" in r or not r.get("data") else 0)'
}
# Statements netra sent, from pg_stat_statements, without the background
# polls (registry version, webhook scheduler), the audit writer's statements
# when asked, and our own.
statements() {
    psqlb -Atc "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
        WHERE d.datname = '$DB' AND query NOT LIKE '%pg_stat_statements%' AND query NOT LIKE '%registry_version%' AND query NOT LIKE '%webhook%'
          AND query NOT LIKE 'LISTEN%' $1"
}

printf "\n== %s connections, %s s warm-up, %s x %s s, token %s\n" "$CONNECTIONS" "$WARM" "$ROUNDS" "$SECS" "$AGENCY"
printf "%-4s %-5s %10s %9s %9s %8s %9s %9s\n" op audit "req/s" p50 p99 "RSS MB" "stmt/req" "non-2xx"
RESULTS="$WORK/results"
: > "$RESULTS"
for round in $(seq 1 "$ROUNDS"); do
    # The audit settings of one operation run back to back, each on a
    # server of its own, first one then the other, in alternating order
    # from round to round: a slower minute of the machine then weighs on
    # both sides of the audit's cost, not on one.
    modes=$AUDIT_MODES
    if [ $((round % 2)) = 0 ]; then modes=$(printf '%s\n' $AUDIT_MODES | tac | xargs); fi
    for op in $OPS; do
        for audit in $modes; do
            start_server "$audit"
            check "$op"
            timeout $((WARM + 30)) wrk -t2 -c"$CONNECTIONS" -d"${WARM}s" -s "$WORK/$op.lua" "http://127.0.0.1:$APP_PORT/graphql" >/dev/null
            psqlb -Atc "SELECT pg_stat_statements_reset()" >/dev/null
            out=$(timeout $((SECS + 60)) wrk -t2 -c"$CONNECTIONS" -d"${SECS}s" --timeout 5s --latency -s "$WORK/$op.lua" "http://127.0.0.1:$APP_PORT/graphql")
            sleep 0.3 # the last group commit
            n=$(awk '/requests in/ { print $1 }' <<<"$out")
            all=$(statements "")
            rss=$(awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$SERVER/status")
            rps=$(awk '/Requests\/sec/ { print $2 }' <<<"$out")
            p50=$(awk '$1 == "50%" { print $2 }' <<<"$out")
            p99=$(awk '$1 == "99%" { print $2 }' <<<"$out")
            bad=$(awk '/Non-2xx/ { print $NF }' <<<"$out" | grep . || echo 0)
            timeouts=$(awk '/Socket errors/ { print $NF }' <<<"$out" | grep . || echo 0)
            per=$(awk -v s="$all" -v n="$n" 'BEGIN { printf "%.2f", s / (n > 0 ? n : 1) }')
            printf "%-4s %-5s %10s %9s %9s %8s %9s %9s %s\n" "$op" "$audit" "$rps" "$p50" "$p99" "$rss" "$per" "$bad" "$( [ "$timeouts" != 0 ] && echo "timeouts $timeouts")"
            echo "$op $audit $rps $p50 $p99 $rss $per" >> "$RESULTS"
            stop_server
        done
    done
    for op in $OPS; do
        out=$(timeout $((SECS + 60)) pgbench -n -M prepared -c "$CONNECTIONS" -j 2 -T "$SECS" -f "$WORK/$op.sql" -h 127.0.0.1 -p "$PGPORT_BENCH" -U postgres "$DB" 2>&1)
        tps=$(awk '/^tps/ { print $3; exit }' <<<"$out")
        lat=$(awk '/latency average/ { print $4 }' <<<"$out")
        printf "%-4s %-5s %10s %9s\n" "$op" floor "$tps" "${lat}ms"
        echo "$op floor $tps" >> "$RESULTS"
    done
done

echo
echo "== medians over rounds, and the ratio to the pgbench floor of the same run"
python3 - "$RESULTS" <<'EOF'
import sys, statistics
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
by = {}
for r in rows:
    by.setdefault((r[0], r[1]), []).append(r[2:])
def med(xs): return statistics.median(float(x) for x in xs)
print(f"{'op':4} {'audit':5} {'req/s':>9} {'floor':>9} {'ratio':>6} {'stmt/req':>9} {'RSS MB':>7}")
for op in ["Q1", "Q2", "Q3", "Q4"]:
    floor = med([v[0] for v in by.get((op, "floor"), [["nan"]])])
    for audit in ["on", "off"]:
        v = by.get((op, audit))
        if not v: continue
        rps = med([x[0] for x in v])
        print(f"{op:4} {audit:5} {rps:9.1f} {floor:9.1f} {rps / floor:6.2f} {med([x[4] for x in v]):9.2f} {max(float(x[3]) for x in v):7.0f}")
# The audit's cost: req/s with the audit on over req/s with it off, of the
# back-to-back pair of each round, and the median of those pairs.
print()
print(f"{'op':4} {'audit on / off, per round':>32} {'median':>7}")
for op in ["Q1", "Q2", "Q3", "Q4"]:
    on, off = by.get((op, "on"), []), by.get((op, "off"), [])
    pairs = [float(a[0]) / float(b[0]) for a, b in zip(on, off) if float(b[0]) > 0]
    if pairs:
        print(f"{op:4} {' '.join(f'{p:.2f}' for p in pairs):>32} {statistics.median(pairs):7.2f}")
EOF

# ---- the plans --------------------------------------------------------------
if [ "${SKIP_EXPLAIN:-0}" != 1 ]; then
    echo
    echo "== EXPLAIN (ANALYZE, BUFFERS) of every statement netra sends (auto_explain, one request per operation, audit off)"
    psqlb -c "ALTER DATABASE $DB SET auto_explain.log_min_duration = 0" \
          -c "ALTER DATABASE $DB SET auto_explain.log_analyze = on" \
          -c "ALTER DATABASE $DB SET auto_explain.log_buffers = on" \
          -c "ALTER DATABASE $DB SET auto_explain.log_timing = on" \
          -c "ALTER DATABASE $DB SET auto_explain.log_nested_statements = on"
    start_server off
    for op in $OPS; do
        call "$op" >/dev/null # warm
        sleep 0.3
        from=$(stat -c %s "$LOG")
        call "$op" >/dev/null
        sleep 0.5
        echo "---- $op"
        tail -c +"$((from + 1))" "$LOG" | grep -v "registry_version" | sed -E 's/^[0-9-]+ [0-9:.]+ [A-Z]+ \[[0-9]+\] [a-z@_]+ //' | grep -v "^$" || true
    done
    stop_server
    psqlb -c "ALTER DATABASE $DB RESET ALL"
fi
