#!/usr/bin/env bash
# `make test`: install what is missing (dev packages, chromium, npm packages), build the
# front end, then run every check: ruff, ruff format --check, tsc, eslint, prettier --check,
# vitest and pytest (engine, web and browser tests). Every step runs; the exit status is non-zero if any failed.
source "$(dirname "$0")/setup.sh"

ensure_requirements requirements.txt requirements-dev.txt
ensure_chromium
ensure_node_modules
build_frontend

FAILED=()
step() {
  local name="$1"
  shift
  say "$name"
  local started=$SECONDS
  if "$@"; then
    echo "    ok ($((SECONDS - started)) s)"
  else
    echo "    FAILED ($((SECONDS - started)) s)"
    FAILED+=("$name")
  fi
}

step "ruff check" "$VENV/bin/ruff" check .
step "ruff format --check" "$VENV/bin/ruff" format --check .
step "tsc --noEmit" npx --no-install tsc --noEmit
step "eslint" npx --no-install eslint .
step "prettier --check" npx --no-install prettier --check "frontend/ts/**/*.{ts,css}" \
  eslint.config.js vite.config.ts vite-page-sizes.ts
step "vitest" npx --no-install vitest run
step "OpenAPI schema and generated API types" bash scripts/api_types.sh
# Two test processes (pytest-xdist): they share the engine and API tests out, then one of them
# runs the live-server tests (browsers, fuzzing) in order (tests/conftest.py).
step "pytest" "$VENV/bin/python" -m pytest -n 2 "$@"

if [ ${#FAILED[@]} -gt 0 ]; then
  say "Failed: ${FAILED[*]}"
  exit 1
fi
say "All checks passed"
