#!/usr/bin/env bash
# make demo: build and install the collection, start the EM simulator over HTTPS (its own CA,
# certificate verification on), run examples/demo.yml against it, stop the simulator.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
work=$repo/.build/demo
rm -rf "$work"; mkdir -p "$work/dist" "$work/collections" "$work/tls"

# The demo's own configuration (no ansible.cfg or ANSIBLE_* from elsewhere): the collection installed into a
# path Ansible is configured to read (else ansible-galaxy warns that it is not), and an explicit inventory
# (else ansible-playbook warns about the implicit localhost).
unset "${!ANSIBLE_@}"
printf '[defaults]\ncollections_path = %s\ninventory = %s\nretry_files_enabled = false\n' \
    "$work/collections" "$repo/examples/inventory.ini" >"$work/ansible.cfg"
export ANSIBLE_CONFIG="$work/ansible.cfg"

.venv/bin/ansible-galaxy collection build --force --output-path "$work/dist" >/dev/null
.venv/bin/ansible-galaxy collection install --force -p "$work/collections" "$work"/dist/vbr-enterprise_manager-*.tar.gz >/dev/null

.venv/bin/python tests/em_simulator/server.py --host 127.0.0.1 --port 0 --port-file "$work/port" \
    --sessions 5000 --seed 2024 --tls-dir "$work/tls" --lifetime 600 >"$work/simulator.log" 2>&1 &
sim_pid=$!

stop_simulator() {  # SIGTERM, then wait until the process has ended (SIGKILL after 10 s)
    kill "$sim_pid" 2>/dev/null || return 0
    for _ in $(seq 100); do kill -0 "$sim_pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$sim_pid" 2>/dev/null; then kill -9 "$sim_pid" 2>/dev/null || true; fi
    wait "$sim_pid" 2>/dev/null || true
    echo "EM simulator stopped"
}
trap stop_simulator EXIT
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
[ -s "$work/port" ] || { echo "the EM simulator did not start:" >&2; cat "$work/simulator.log" >&2; exit 1; }
port=$(cat "$work/port")
echo "EM simulator on https://127.0.0.1:$port (5000 task sessions, account EM\\ansible)"

export ANSIBLE_CALLBACK_RESULT_FORMAT=yaml
export VEEAM_EM_URL="https://127.0.0.1:$port"
export VEEAM_EM_USERNAME='EM\ansible'
export VEEAM_EM_PASSWORD='ansible-demo'
export VEEAM_EM_CA_PATH="$work/tls/ca.pem"
.venv/bin/ansible-playbook examples/demo.yml

# The backup_vms inventory (same EM): the VMs grouped by backup state, and a play that targets backup_ok.
.venv/bin/ansible-playbook -i examples/em.backup_vms.yml examples/patch_backed_up.yml
