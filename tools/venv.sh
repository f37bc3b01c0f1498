#!/usr/bin/env bash
# Create or refresh the project's virtual environments from the repo's own requirement files:
#   .venv         newest ansible-core (Python >= 3.12), nox + antsibull-nox and every tool make test/demo needs
#   .venv-eda     ansible-rulebook for the Event-Driven Ansible source, alone as in a decision environment
# The ansible-test sessions of each supported ansible-core get their own venvs from nox (.nox/), not from here.
# A venv is rebuilt only when its requirement files change. Usage: tools/venv.sh [newest|eda|all]
set -euo pipefail
cd "$(dirname "$0")/.."
which_venvs=${1:-all}

pyenv_roots() {  # where pyenv keeps interpreters: PYENV_ROOT, ~/.pyenv, and the parent of any shims dir on PATH
    local dir
    printf '%s\n' "${PYENV_ROOT:-}" "$HOME/.pyenv"
    tr ':' '\n' <<<"$PATH" | while read -r dir; do
        case "$dir" in */shims) dirname "$dir" ;; esac
    done
}

find_python() {  # first working interpreter among the given minor versions
    local v cand root
    for v in "$@"; do
        for cand in "$(command -v "python3.$v" 2>/dev/null || true)" \
                    $(pyenv_roots | sort -u | while read -r root; do [ -n "$root" ] && ls -d "$root"/versions/3."$v".*/bin/python3."$v" 2>/dev/null; done) \
                    /usr/bin/python3."$v" /usr/local/bin/python3."$v"; do
            if [ -n "$cand" ] && [ -x "$cand" ] && "$cand" -c 'import ssl, venv' >/dev/null 2>&1; then
                echo "$cand"; return 0
            fi
        done
    done
    return 1
}

make_venv() {  # make_venv DIR REQUIREMENTS PYTHON...
    local dir=$1 req=$2; shift 2
    local stamp hash py
    hash=$(cat "$req" requirements.txt | sha256sum | cut -c1-16)
    stamp="$dir/.requirements-$hash"
    if [ -f "$stamp" ]; then return 0; fi
    py=$(find_python "$@") || { echo "ERROR: need Python 3.$1 (or newer listed: $*) to create $dir; install it (e.g. pyenv install 3.$1)" >&2; exit 1; }
    echo "creating $dir with $py from $req ..."
    rm -rf "$dir"
    "$py" -m venv "$dir"
    "$dir/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip >"$dir.log" 2>&1 || { cat "$dir.log" >&2; exit 1; }
    "$dir/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req" >>"$dir.log" 2>&1 || { cat "$dir.log" >&2; exit 1; }
    rm -f "$dir.log"
    touch "$stamp"
}

# The venvs are built side by side: on a fresh machine this is most of the set-up time.
pids=()
case "$which_venvs" in
    newest|all) make_venv .venv tests/requirements-dev.txt 12 13 & pids+=($!) ;;&
    eda|all) make_venv .venv-eda tests/requirements-eda.txt 12 13 & pids+=($!) ;;
esac
status=0
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
exit $status
