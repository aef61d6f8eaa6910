#!/usr/bin/env bash
# Trusted documents and open data against a started netra (SQLite, demo data):
# - NETRA_TRUSTED_DOCUMENTS_ONLY with the manifest graphql-codegen wrote for
#   examples/typescript (run its codegen first): a document of it runs by its
#   `documentId` (as the client preset sends it, `sha256:<hex>`), an ad-hoc
#   query is refused with PERSISTED_QUERY_NOT_ALLOWED;
# - examples/python/read_open_data.py reads both demo publications' CSV with
#   pandas' defaults (pinned in examples/python/requirements.txt) and checks
#   that the region codes stay text.
# Usage: .ci/trusted.sh NETRA_BINARY
set -euo pipefail
cd "$(dirname "$0")/.."
netra=$1
manifest=examples/typescript/src/gql/persisted-documents.json
[ -s "$manifest" ] || { echo "ci: trusted: $manifest is missing (run the example's codegen first)"; exit 1; }
work=$(mktemp -d)
server=""
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
port=18130
export NETRA_DEV_SECRET="${NETRA_DEV_SECRET:-ci-secret-ci-secret-ci-secret-0123456}"
url="sqlite://$work/netra.db?mode=rwc"
DATABASE_URL="$url" NETRA_LISTEN="127.0.0.1:$port" NETRA_TRUSTED_DOCUMENTS="$manifest" \
    NETRA_TRUSTED_DOCUMENTS_ONLY=true "$netra" serve --demo >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 60); do
    curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
    sleep 1
done
token=$(DATABASE_URL="$url" "$netra" token --agency BAWASLU-16.73 --permission read)
id=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(next(k for k,v in d.items() if "FirstQuery" in v))' "$manifest")
post() {
    curl -s -H 'content-type: application/json' -H "authorization: Bearer $token" -d "$1" "http://127.0.0.1:$port/graphql"
}
answer=$(post "{\"documentId\": \"$id\"}")
echo "$answer" | python3 -c 'import json,sys; a=json.load(sys.stdin); assert "errors" not in a and a["data"]["me"]["agency"]["code"] == "BAWASLU-16.73", a' \
    || { echo "ci: trusted: the manifest document did not run: $answer"; exit 1; }
refused=$(post '{"query": "{ me { agency { code } } }"}')
echo "$refused" | grep -q '"PERSISTED_QUERY_NOT_ALLOWED"' \
    || { echo "ci: trusted: an ad-hoc query was not refused: $refused"; exit 1; }
echo "ci: trusted: documentId runs, ad-hoc refused"

python3 -m venv "$work/py"
"$work/py/bin/pip" install -q --disable-pip-version-check -r examples/python/requirements.txt
for id in 1 2; do
    "$work/py/bin/python" examples/python/read_open_data.py "http://127.0.0.1:$port/public/publications/$id.csv"
done
