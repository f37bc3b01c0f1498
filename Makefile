# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
.DEFAULT_GOAL := help
SHELL := /bin/bash
PY := .venv/bin/python
STEPS ?=
NOX_JOBS ?= 2
DIST ?= .build/dist

.PHONY: help venv venv-newest sysdeps test check demo simulator simulator-stop build docs bench clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

venv:  ## create/refresh .venv (newest ansible-core, nox) and .venv-eda (ansible-rulebook) from the repo's requirement files
	@tools/venv.sh all

venv-newest:  # .venv only (what make demo needs), not the EDA one
	@tools/venv.sh newest

sysdeps:  ## install the system packages the tests need (Chromium, a Java 17 runtime for ansible-rulebook) when missing
	@tools/system-deps.sh

test: venv sysdeps  ## run every gate as a nox session, NOX_JOBS (2) at a time (noxfile.py, antsibull-nox.toml); STEPS="sanity units" for a subset, .venv/bin/nox --list lists them
	@mkdir -p .build && rm -rf .build/nox-report.json .build/session-times && start=$$(date +%s) && \
		VBR_NOX_TIMES=$(CURDIR)/.build/session-times $(PY) -m nox --parallel $(NOX_JOBS) --report .build/nox-report.json $(if $(STEPS),--sessions $(STEPS)); \
		rc=$$?; $(PY) tools/nox_summary.py .build/nox-report.json .build/session-times $$(( $$(date +%s) - start )) || rc=1; exit $$rc

demo: venv-newest  ## build + install the collection, start the EM simulator, run the example playbook, stop it
	@tools/demo.sh

simulator: venv-newest  ## start the EM simulator in the background (HTTPS) and print its URL, user, CA file and how to stop it
	@tools/simulator.sh start

simulator-stop:  ## stop the simulator make simulator started
	@tools/simulator.sh stop

build: venv-newest  ## build the collection tarball into .build/dist/ (DIST=dir for another) and print the command that installs it
	@mkdir -p $(DIST)
	@.venv/bin/ansible-galaxy collection build --force --output-path $(DIST)
	@echo "Install it with: ansible-galaxy collection install $$(ls $(DIST)/vbr-enterprise_manager-*.tar.gz | tail -1)"

bench: venv  ## benchmarks (about 15 minutes): rewrites bench/results.json and docs/performance.md; BENCH_ARGS=--smoke for a quick run
	@$(PY) bench/run.py $(BENCH_ARGS)

docs: venv  ## regenerate docs/plugins/ from the plugin documentation (antsibull-docs)
	@tools/docs.sh

clean:  ## remove build output (keeps the virtual environments)
	rm -rf .build .nox tests/output importer_result.json
