#!/usr/bin/env bash
# make simulator / make simulator-stop: the EM simulator (tests/em_simulator) over HTTPS in the background,
# with the demo's data (5000 task sessions, seed 2024) and account, for trying the collection by hand.
# Its state lives in SIM_DIR (default .build/simulator; make clean removes it): pid, port, log, the
# certificates (tls/ca.pem is the CA file to trust) and env.sh with the VEEAM_EM_* variables to source.
# A second `make simulator` prints the running one's details; a restart tries the previous port first.
set -euo pipefail
cd "$(dirname "$0")/.."
state=${SIM_DIR:-.build/simulator}
mkdir -p "$state"
state=$(cd "$state" && pwd)
pid_file=$state/pid

running() {  # the pid of the simulator this directory started, if it still runs
    local pid
    pid=$(cat "$pid_file" 2>/dev/null) || return 1
    kill -0 "$pid" 2>/dev/null && grep -q 'server.py' "/proc/$pid/cmdline" 2>/dev/null && echo "$pid"
}

show() {
    local port
    port=$(cat "$state/port")
    cat >"$state/env.sh" <<EOF
# the EM simulator of make simulator: . $state/env.sh
export VEEAM_EM_URL=https://127.0.0.1:$port
export VEEAM_EM_USERNAME='EM\\ansible'
export VEEAM_EM_PASSWORD=ansible-demo
export VEEAM_EM_CA_PATH=$state/tls/ca.pem
EOF
    cat <<EOF
EM simulator running (pid $1): 5000 task sessions, the demo's data
  URL       https://127.0.0.1:$port
  user      EM\\ansible  (password: ansible-demo)
  CA file   $state/tls/ca.pem
  log       $state/simulator.log
Use it:   . $state/env.sh   (sets VEEAM_EM_URL, VEEAM_EM_USERNAME, VEEAM_EM_PASSWORD, VEEAM_EM_CA_PATH)
          ansible localhost -m vbr.enterprise_manager.backup_task_session_info -a 'result=Failed since=24h'
Stop it:  make simulator-stop
EOF
}

stop() {
    local pid
    if ! pid=$(running); then
        echo "No EM simulator of $state runs."
        return 0
    fi
    kill "$pid"
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
    rm -f "$pid_file"
    echo "EM simulator stopped (pid $pid)."
}

start_on() {  # port: 0 picks a free one; returns non-zero when the simulator did not come up
    rm -f "$state/port"
    nohup .venv/bin/python tests/em_simulator/server.py --host 127.0.0.1 --port "$1" --port-file "$state/port" \
        --sessions 5000 --seed 2024 --tls-dir "$state/tls" >"$state/simulator.log" 2>&1 </dev/null &
    echo $! >"$pid_file"
    for _ in $(seq 300); do
        [ -s "$state/port" ] && return 0
        running >/dev/null || return 1
        sleep 0.1
    done
    return 1
}

start() {
    local pid previous
    if pid=$(running); then
        show "$pid"
        return 0
    fi
    previous=$(cat "$state/last-port" 2>/dev/null || echo 0)
    if ! start_on "$previous" && { [ "$previous" = 0 ] || ! start_on 0; }; then
        echo "The EM simulator did not start:" >&2
        cat "$state/simulator.log" >&2
        return 1
    fi
    cp "$state/port" "$state/last-port"
    show "$(running)"
}

case "${1:-start}" in
    start) start ;;
    stop) stop ;;
    *) echo "usage: $0 [start|stop]" >&2; exit 2 ;;
esac
