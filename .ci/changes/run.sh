#!/usr/bin/env bash
# The change feed's done-when check (docs/changes.md): two netra instances on
# one PostgreSQL database, a graphql-ws subscriber on the first pushed a
# forwarding made on the second within 1 s, and a webhook receiver that
# verifies each delivery with the standardwebhooks library
# (.ci/changes/done-when.mjs, packages pinned in package-lock.json).
# Needs PostgreSQL on 127.0.0.1:5432 (NETRA_TEST_POSTGRES_URL), Node and npm.
set -euo pipefail
cd "$(dirname "$0")/../.."

admin="${NETRA_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
db="netra_ci_changes_$$"
url="${admin%/*}/$db"
work=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    psql "$admin" -q -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

# The binary the test run built (a plain `cargo build` resolves other
# dependency features and would compile the crate again).
[ -x ./target/debug/netra ] || cargo test --workspace --no-run --quiet
(cd .ci/changes && npm ci --no-audit --no-fund --silent --ignore-scripts)
psql "$admin" -q -c "CREATE DATABASE \"$db\""

export NETRA_DEV_SECRET="ci-secret-ci-secret-ci-secret-0123456"
# The receiver listens on 127.0.0.1: allowed for this check only.
export NETRA_WEBHOOK_ALLOW_PRIVATE=true
export NETRA_WEBHOOK_RETRY_BASE_MS=200
export DATABASE_URL="$url"
./target/debug/netra migrate >/dev/null
./target/debug/netra seed demo >/dev/null
ports=(18130 18131)
for port in "${ports[@]}"; do
    NETRA_LISTEN="127.0.0.1:$port" ./target/debug/netra serve >"$work/netra-$port.log" 2>&1 &
    pids+=($!)
done
for port in "${ports[@]}"; do
    for _ in $(seq 1 60); do
        curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
        sleep 1
    done
done
PEMDA_TOKEN=$(./target/debug/netra token --agency PEMDA-16.73 --permission read --permission webhooks)
BAWASLU_TOKEN=$(./target/debug/netra token --agency BAWASLU-16.73 --permission read --permission write)
export PEMDA_TOKEN BAWASLU_TOKEN
if ! node .ci/changes/done-when.mjs "http://127.0.0.1:${ports[0]}" "http://127.0.0.1:${ports[1]}"; then
    grep -h "GET\|WARN\|ERROR" "$work"/netra-*.log | tail -n 20
    exit 1
fi
