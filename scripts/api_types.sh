#!/usr/bin/env bash
# The front end's API types come from the OpenAPI schema: this checks the schema
# (`spectacular --validate --fail-on-warn`), generates frontend/ts/api/schema.d.ts from it with
# openapi-typescript into a temporary file and fails when the committed one differs.
#   bash scripts/api_types.sh          check (the test command runs this)
#   bash scripts/api_types.sh --write  regenerate frontend/ts/api/schema.d.ts
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${VENV:-.venv}/bin/python"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
# Its own var/ folder: generating the schema must not touch the developer's database.
NNWEB_VAR_DIR="$TMP/var" "$PY" manage.py spectacular --validate --fail-on-warn \
  --file "$TMP/schema.yml"
npx --no-install openapi-typescript "$TMP/schema.yml" -o "$TMP/schema.d.ts" >/dev/null
npx --no-install prettier --stdin-filepath frontend/ts/api/schema.d.ts <"$TMP/schema.d.ts" \
  >"$TMP/schema.formatted.d.ts"
if [ "${1:-}" = "--write" ]; then
  cp "$TMP/schema.formatted.d.ts" frontend/ts/api/schema.d.ts
  echo "wrote frontend/ts/api/schema.d.ts"
  exit 0
fi
if ! diff -q frontend/ts/api/schema.d.ts "$TMP/schema.formatted.d.ts" >/dev/null; then
  diff -u frontend/ts/api/schema.d.ts "$TMP/schema.formatted.d.ts" | head -40
  echo "frontend/ts/api/schema.d.ts is out of date: run bash scripts/api_types.sh --write"
  exit 1
fi
echo "schema valid; frontend/ts/api/schema.d.ts up to date"
