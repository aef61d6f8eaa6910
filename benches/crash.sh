#!/usr/bin/env bash
# Crash drill (issue 10): netra killed with kill -9 in the middle of keyed
# writes, on SQLite and on PostgreSQL (one instance, then two instances on
# one database), with 16 writers adding evidence to ONE case, each write
# under its own Idempotency-Key and retried through the crashes. Afterwards
# every key must have exactly one evidence row, and the audit chain must
# verify. Loopback only; bounded (a 4-minute deadline per drill).
#
#   benches/crash.sh [writers] [keys-per-writer] [kills]
set -euo pipefail
cd "$(dirname "$0")/.."
WRITERS=${1:-16}
PER=${2:-8}
KILLS=${3:-4}
PG=${NETRA_BENCH_PG:-postgres://postgres@127.0.0.1:5432}
BIN=${NETRA_BIN:-./target/release/netra}
WORK=$(mktemp -d /tmp/netra-crash.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
[ -n "${NETRA_BIN:-}" ] || cargo build --release -q
export NETRA_DEV_SECRET=bench-only-secret-bench-only-secret-00 RUST_LOG=warn
fail=0

check() { # $1 engine label, $2 database url
    python3 - "$WORK/keys.json" "$1" "$2" <<'PY'
import json, subprocess, sys
data = json.load(open(sys.argv[1]))
label, url = sys.argv[2], sys.argv[3]
keys = data["keys"]
sql = "SELECT sha256, COUNT(*) FROM evidence WHERE description LIKE 'drill %' GROUP BY sha256"
if url.startswith("sqlite"):
    import sqlite3
    rows = sqlite3.connect(url.split("://", 1)[1].split("?")[0]).execute(sql).fetchall()
else:
    out = subprocess.run(["psql", "-X", "-Atq", "-F", " ", url, "-c", sql], capture_output=True, text=True, check=True).stdout
    rows = [(l.split()[0], int(l.split()[1])) for l in out.splitlines() if l.strip()]
seen = dict(rows)
missing = [k for k in keys if k not in seen]
twice = {k: n for k, n in seen.items() if n != 1}
print(f"{label}: {len(keys)} keys, {len(seen)} written, {len(missing)} missing, {len(twice)} written more than once")
sys.exit(1 if missing or twice else 0)
PY
}

drill() { # $1 label, $2 url, $3 ports
    DATABASE_URL="$2" "$BIN" seed demo >/dev/null 2>&1
    python3 benches/crash.py "$BIN" "$1" "$2" "$3" "$WRITERS" "$PER" "$KILLS" "$WORK" || fail=1
    check "$1" "$2" || fail=1
    if DATABASE_URL="$2" "$BIN" audit verify > "$WORK/verify.txt" 2>&1; then
        echo "$1: audit chain: $(tail -1 "$WORK/verify.txt")"
    else
        echo "$1: audit chain BROKEN:"; cat "$WORK/verify.txt"; fail=1
    fi
}

drill sqlite "sqlite://$WORK/crash.db?mode=rwc" 18101
psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS netra_crash WITH (FORCE)" -c "CREATE DATABASE netra_crash"
drill postgres "$PG/netra_crash" 18102
psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS netra_crash WITH (FORCE)" -c "CREATE DATABASE netra_crash"
drill postgres-2-instances "$PG/netra_crash" 18103,18104
psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS netra_crash WITH (FORCE)"
exit $fail
