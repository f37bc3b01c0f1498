#!/usr/bin/env bash
# make docs: regenerate docs/plugins/ (RST) from the plugins' own documentation with antsibull-docs.
# `make test` builds the same into .build/ and fails when the committed copy is stale.
set -euo pipefail
cd "$(dirname "$0")/.."
work=.build/docs-gen
rm -rf "$work"; mkdir -p "$work/dist" "$work/collections" "$work/out"
.venv/bin/ansible-galaxy collection build --force --output-path "$work/dist" >/dev/null
.venv/bin/ansible-galaxy collection install --force -p "$work/collections" "$work"/dist/vbr-enterprise_manager-*.tar.gz >/dev/null
PATH="$PWD/.venv/bin:$PATH" ANSIBLE_COLLECTIONS_PATH="$PWD/$work/collections" .venv/bin/antsibull-docs collection --use-current --squash-hierarchy \
    --dest-dir "$work/out" vbr.enterprise_manager
rm -rf docs/plugins; mkdir -p docs/plugins; cp -a "$work/out/." docs/plugins/
echo "docs/plugins/ regenerated"
