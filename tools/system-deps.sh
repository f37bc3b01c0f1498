#!/usr/bin/env bash
# System packages `make test` needs beyond Python: Chromium renders the role's HTML report in the tests, and
# ansible-rulebook (the eda step) needs a Java 17 (or newer) runtime.
# Installs with apt-get when missing and we are root (CI, fresh machines); otherwise says what to run.
set -euo pipefail

missing=()
if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
    missing+=(chromium)
fi
java_major() {  # major version of the java on PATH (or under JAVA_HOME), empty when there is none
    local java=java
    if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then java=$JAVA_HOME/bin/java; fi
    command -v "$java" >/dev/null 2>&1 || return 0
    "$java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1
}
major=$(java_major)
needs_java=false
if [ -z "$major" ] || [ "$major" -lt 17 ]; then
    needs_java=true
    missing+=(java-17)
fi
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing ${missing[*]/java-17/a Java 17 runtime} (Debian packages) for the HTML report checks and ansible-rulebook ..."
    apt-get update -qq >/dev/null
    packages=("${missing[@]/java-17/}")
    if $needs_java; then  # Debian 12 and Ubuntu have openjdk-17; newer Debian only a newer default JRE
        for candidate in openjdk-17-jre-headless default-jre-headless; do
            policy=$(apt-cache policy "$candidate" 2>/dev/null || true)
            if grep -q 'Candidate: [0-9]' <<<"$policy"; then packages+=("$candidate"); break; fi
        done
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${packages[@]} >/dev/null
else
    echo "ERROR: missing ${missing[*]}; install them (Debian/Ubuntu: sudo apt-get install -y ${missing[*]/java-17/openjdk-17-jre-headless}) and rerun make test" >&2
    exit 1
fi
