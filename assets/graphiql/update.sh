#!/usr/bin/env bash
# Refreshes vendor/ (checked in, embedded in the netra binary) from the exact
# versions pinned in package.json and package-lock.json. Needs npm and the
# npm registry; nothing else in netra's build does. After a version change,
# update the file names in src/graphql/ide.rs.
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp package.json package-lock.json "$work/"
(cd "$work" && npm ci --ignore-scripts --no-audit --no-fund --silent)
m="$work/node_modules"
rm -rf vendor && mkdir vendor
cp "$m/graphiql/graphiql.min.js" vendor/graphiql.min.js
cp "$m/graphiql/graphiql.min.css" vendor/graphiql.min.css
cp "$m/react/umd/react.production.min.js" vendor/react.production.min.js
cp "$m/react-dom/umd/react-dom.production.min.js" vendor/react-dom.production.min.js
for p in graphiql react react-dom; do cp "$m/$p/LICENSE" "vendor/LICENSE.$p"; done
(cd vendor && sha256sum -- *.js *.css > SHA256SUMS)
echo "vendor/ refreshed:"; cat vendor/SHA256SUMS
