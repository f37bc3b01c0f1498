# Run one command and measure it: wall time, CPU time and peak RSS of its whole process tree (from
# wait4, which reports the largest RSS among the process and the descendants it waited for), plus
# the CPU time a second process (the simulator) spent meanwhile.
from __future__ import annotations

import os
import subprocess
import tempfile
import threading
import time

CLOCK_TICKS = os.sysconf('SC_CLK_TCK')


class Measured(object):
    """The outcome of one run."""

    def __init__(self, argv, rc, wall, cpu, peak_rss_mb, stdout, stderr, other_cpu):
        self.argv = argv
        self.rc = rc
        self.wall = wall
        self.cpu = cpu
        self.peak_rss_mb = peak_rss_mb
        self.stdout = stdout
        self.stderr = stderr
        self.other_cpu = other_cpu

    def tail(self, lines=15):
        text = (self.stdout + '\n' + self.stderr).strip().splitlines()
        return '\n'.join(text[-lines:])


def process_cpu(pid):
    """CPU seconds (user + system) a running process used so far; None when it cannot be read."""
    if not pid:
        return None
    try:
        with open('/proc/%d/stat' % pid, encoding='ascii') as handle:
            fields = handle.read().rsplit(')', 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / float(CLOCK_TICKS)


def run(argv, env=None, cwd=None, timeout=1800, watch_pid=None):
    """Run argv to completion and measure it (the caller checks rc)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        other_before = process_cpu(watch_pid)
        started = time.perf_counter()
        process = subprocess.Popen(argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        killer = threading.Timer(timeout, process.kill)
        killer.start()
        try:
            unused, status, usage = os.wait4(process.pid, 0)
        finally:
            killer.cancel()
        wall = time.perf_counter() - started
        other_after = process_cpu(watch_pid)
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode('utf-8', 'replace')
        stderr = err.read().decode('utf-8', 'replace')
    other = other_after - other_before if other_before is not None and other_after is not None else None
    return Measured(argv, process.returncode, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024.0, stdout, stderr,
                    other)
