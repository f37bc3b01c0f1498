# Command line entry point of the EM simulator: a stand-alone HTTP(S) server that speaks the Veeam Backup
# Enterprise Manager REST API for backup task sessions. Run it as a script from any directory:
#   python3 tests/em_simulator/server.py --host 127.0.0.1 --port 0 --port-file FILE --sessions N --seed S
# Options and endpoints are described in tests/em_simulator/README.md.
from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time

_STARTED = time.monotonic()  # the start line reports how long start-up took from here (a benchmark figure)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from emsim import accounts as em_accounts  # noqa: E402
from emsim import tls  # noqa: E402
from emsim.app import Simulator  # noqa: E402
from emsim.dataset import build  # noqa: E402
from emsim.faults import FaultPlan  # noqa: E402
from emsim.http_server import SimulatorServer  # noqa: E402
from emsim.logon_sessions import SessionStore  # noqa: E402
from emsim.stats import Stats  # noqa: E402
from emsim.timefmt import default_now, iso_z, parse_now  # noqa: E402


def _non_negative_int(text):
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError('must be 0 or more')
    return value


def _positive_int(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError('must be 1 or more')
    return value


def _non_negative_float(text):
    value = float(text)
    if value < 0:
        raise argparse.ArgumentTypeError('must be 0 or more')
    return value


def _rate(text):
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError('must be between 0 and 1')
    return value


def _now(text):
    try:
        return parse_now(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Veeam Backup Enterprise Manager REST API simulator (task sessions).')
    parser.add_argument('--host', default='127.0.0.1', help='address to bind (default 127.0.0.1)')
    parser.add_argument('--port', type=_non_negative_int, default=0, help='port; 0 picks a free one (default)')
    parser.add_argument('--port-file', help='write the port number here once the server listens')
    parser.add_argument('--sessions', type=_positive_int, default=1000, help='number of task sessions (default 1000)')
    parser.add_argument('--seed', type=int, default=1, help='data seed (default 1)')
    parser.add_argument('--now', type=_now, help='simulator clock, ISO 8601 ending in Z (default: now, truncated to the hour)')
    parser.add_argument('--job-mix', choices=['basic', 'real'], default='basic',
                        help='basic: VM backup jobs only (default); real: also backup copy, agent and NAS jobs, as real EMs mix them')
    parser.add_argument('--vms', type=_positive_int,
                        help='number of VMs (default: about sessions/45); fewer VMs get a longer history, e.g. 260 sessions each')
    parser.add_argument('--max-page-size', type=_non_negative_int, default=0,
                        help='silently cap the query pageSize at N; PagingInfo PageSize tells the size applied (default 0: no cap)')
    parser.add_argument('--bad-filter-status', type=int, choices=[400, 500], default=400,
                        help='HTTP status of the answer to a filter that cannot be parsed (default 400)')
    parser.add_argument('--job-run-seconds', type=_non_negative_float, default=2.0,
                        help='how long a job run started through the API takes (default 2; see POST /__simulator/job-plan)')
    parser.add_argument('--tls-dir', help='serve HTTPS; write ca.pem, server.pem, server-key.pem and other-ca.pem here')
    parser.add_argument('--tls-tool', choices=['auto', 'cryptography', 'openssl'], default='auto', help='how to make the certificates')
    parser.add_argument('--json-keys', choices=['pascal', 'camel'], default='pascal', help='JSON key style: EM 12 (pascal) or EM 13 (camel)')
    parser.add_argument('--without-task-vm-uid', action='store_true',
                        help='task sessions carry no VmUid, as EM versions before it was added send them (restore points keep HierarchyObjRef)')
    parser.add_argument('--users', help='JSON file: [{"username": "DOMAIN\\\\user", "password": "...", "role": "PortalAdministrator"}]')
    parser.add_argument('--idle-timeout', type=_non_negative_float, default=900.0, help='seconds a token may stay unused (default 900; 0: never)')
    parser.add_argument('--expire-after-requests', type=_non_negative_int, default=0, help='a token expires after serving N requests (0: never)')
    parser.add_argument('--latency-ms', type=_non_negative_float, default=0.0, help='delay added to every /api answer')
    parser.add_argument('--fail-rate', type=_rate, default=0.0, help='probability (seeded) of a 503 per eligible /api request')
    parser.add_argument('--fail-every', type=_non_negative_int, default=0, help='503 on every K-th eligible /api request')
    parser.add_argument('--reset-every', type=_non_negative_int, default=0, help='close the connection without answering every K-th one')
    parser.add_argument('--stall-every', type=_non_negative_int, default=0, help='delay every K-th eligible /api request by --stall-seconds')
    parser.add_argument('--stall-seconds', type=_non_negative_float, default=30.0, help='length of a stall (default 30)')
    parser.add_argument('--faults-on-auth', action='store_true', help='let faults hit the logon POST and the logoff DELETE too')
    parser.add_argument('--lifetime', type=_non_negative_float, default=0.0, help='exit after this many seconds (default 0: run until stopped)')
    parser.add_argument('--log-requests', action='store_true', help='log request lines (never headers) to stderr')
    return parser.parse_args(argv)


def _write_port_file(path, port):
    """Atomically, so a watcher never reads a half-written number."""
    temporary = '%s.%d.tmp' % (path, os.getpid())
    with open(temporary, 'w', encoding='ascii') as handle:
        handle.write('%d\n' % port)
    os.replace(temporary, path)


def main(argv=None):
    args = parse_args(argv)
    try:
        accounts = em_accounts.load_accounts(args.users) if args.users else em_accounts.default_accounts()
    except (OSError, ValueError) as exc:
        sys.stderr.write('em_simulator: --users: %s\n' % exc)
        return 2
    now = args.now if args.now is not None else default_now()
    started = time.monotonic()
    dataset = build(args.sessions, args.seed, now, args.job_mix, args.vms)
    for vm in dataset.vms if args.without_task_vm_uid else ():
        vm.uid_in_tasks = False
    built = time.monotonic() - started
    context = None
    if args.tls_dir:
        tls.make_certificates(args.tls_dir, args.tls_tool)
        context = tls.server_context(args.tls_dir)
    faults = FaultPlan(args.seed, args.fail_rate, args.fail_every, args.reset_every, args.stall_every, args.stall_seconds,
                       args.latency_ms, args.faults_on_auth)
    sim = Simulator(dataset, accounts, SessionStore(args.idle_timeout, args.expire_after_requests), faults, Stats(),
                    camel=args.json_keys == 'camel', log_requests=args.log_requests, max_page_size=args.max_page_size,
                    bad_filter_status=args.bad_filter_status, job_run_seconds=args.job_run_seconds)
    server = SimulatorServer((args.host, args.port), sim, context)
    stopping = threading.Event()

    def stop(*unused):
        if not stopping.is_set():
            stopping.set()
            threading.Thread(target=server.shutdown, daemon=True).start()

    sim.shutdown = stop
    port = server.server_address[1]
    if args.port_file:
        _write_port_file(args.port_file, port)
    sys.stdout.write('EM simulator listening on %s://%s:%d: %d task sessions (seed %d, now %s) built in %.2f s, ready in %.2f s\n'
                     % ('https' if context else 'http', args.host, port, len(dataset.tasks), args.seed, iso_z(now), built,
                        time.monotonic() - _STARTED))
    sys.stdout.flush()
    if args.lifetime:
        timer = threading.Timer(args.lifetime, stop)
        timer.daemon = True
        timer.start()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
