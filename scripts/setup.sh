# Shared set-up steps for `make run` and `make test` (sourced, not executed).
# Each step is skipped when a stamp says its inputs did not change.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"
VENV="$ROOT/.venv"
# Keep compiled bytecode (in git-ignored __pycache__ folders) where the environment asks Python
# not to write it: every test process and every server, worker and manage.py process the tests
# start would compile nnweb, and pytest rewrite every test module, again (collecting the tests
# takes 15.6 s without the cache, 9.5 s with it).
unset PYTHONDONTWRITEBYTECODE

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

hash_files() { cat "$@" 2>/dev/null | sha256sum | cut -d' ' -f1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

ensure_venv() {
  if [ ! -x "$VENV/bin/python" ]; then
    say "Creating the virtual environment .venv"
    if ! "$PYTHON" -m venv "$VENV" 2>/dev/null; then
      say "python3-venv is missing: installing it with apt-get"
      as_root apt-get update -q
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-venv
      rm -rf "$VENV"
      "$PYTHON" -m venv "$VENV"
    fi
  fi
}

# ensure_requirements FILE... : pip install -r each file unless the stamp matches.
ensure_requirements() {
  ensure_venv
  local stamp="$VENV/.nnweb-requirements-$(basename "${!#}" .txt).sha256"
  local want
  want="$(hash_files "$@")"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    say "Python packages are up to date ($*)"
    return
  fi
  say "Installing Python packages ($*)"
  local args=()
  for f in "$@"; do args+=(-r "$f"); done
  "$VENV/bin/python" -m pip install --disable-pip-version-check -q "${args[@]}"
  echo "$want" > "$stamp"
}

ensure_node_modules() {
  local stamp="node_modules/.nnweb-package-lock.sha256"
  local want
  want="$(hash_files package-lock.json)"
  if [ -d node_modules ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    say "node_modules is up to date"
    return
  fi
  say "Installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
}

frontend_sources_hash() {
  {
    find frontend/ts -type f \( -name '*.ts' -o -name '*.css' \) -not -path '*/node_modules/*' \
      -not -name '*.test.ts' -print0 | sort -z | xargs -0 sha256sum
    sha256sum package-lock.json vite.config.ts tsconfig.json
  } | sha256sum | cut -d' ' -f1
}

build_frontend() {
  local manifest="frontend/static/frontend/build/.vite/manifest.json"
  local stamp="frontend/static/frontend/build/.nnweb-sources.sha256"
  local want
  want="$(frontend_sources_hash)"
  if [ -f "$manifest" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    say "Front-end build is up to date"
    return
  fi
  say "Building the front end (vite)"
  npm run --silent build -- --logLevel warn
  echo "$want" > "$stamp"
}

ensure_chromium() {
  if [ -x /usr/bin/chromium ]; then
    say "Chromium is installed"
    return
  fi
  say "Installing Debian's chromium for the browser tests"
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium
}
