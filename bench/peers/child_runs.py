"""Running peer configurations in child processes that a time limit can stop, shared by
real_peers.py and sparse_peers.py.

The parent starts a child with the configurations still to run; the child appends one JSON line
per configuration when it starts and one after each repetition (the last line of a configuration
is its record), and ends itself by SIGALRM when a configuration exceeds its limit. The parent
reads the lines, marks the configuration that was running as stopped, and starts a new child
with the rest.
"""
import json
import os
import signal
import statistics
import subprocess
import time
import warnings


def machine_busy_seconds():
    """CPU seconds the whole machine spent busy (/proc/stat): over a fit, minus the process's
    own CPU time, what other processes took from the cores meanwhile."""
    with open("/proc/stat") as f:
        user, nice, system, idle, iowait, irq, softirq = map(int, f.readline().split()[1:8])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def save_line(path, record):
    with open(path, "a") as f:
        f.write(json.dumps(record) + "\n")


def timed_call(call, threads, quiet):
    """call() under `threads` BLAS/OpenMP threads: its value, its seconds, the CPU seconds other
    processes took meanwhile, and the warnings it raised (first lines, once each, leaving out
    the categories in `quiet`). An exception of call() propagates."""
    from threadpoolctl import threadpool_limits
    with threadpool_limits(limits=threads), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        busy, own = machine_busy_seconds(), time.process_time()
        start = time.perf_counter()
        value = call()
        seconds = time.perf_counter() - start
        other = (machine_busy_seconds() - busy) - (time.process_time() - own)
    said = sorted({f"{m.category.__name__}: {str(m.message).strip().splitlines()[0][:160]}"
                   for m in caught if not issubclass(m.category, quiet)})
    return value, seconds, other, said


def run_in_children(command, record_path, peers, stopped_record, env):
    """Runs command(peers) in children until every peer (a (system, solver) pair) has a record;
    stopped_record(peer) is the record of a peer whose child died before it wrote one. Each child
    leads a process group of its own, ended after it exits, so that no worker process of a
    stopped fit keeps running. Returns the records in the order the peers ran, each with
    timed_out and the median of its times (None without any)."""
    records = {}
    while peers:
        if os.path.exists(record_path):
            os.remove(record_path)
        proc = subprocess.Popen(command(peers), env=env, start_new_session=True)
        status = proc.wait()
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # the child's group: its leftover workers
        except ProcessLookupError:
            pass
        lines = []
        if os.path.exists(record_path):
            with open(record_path) as f:
                lines = [json.loads(line) for line in f]
        for rec in lines:
            records[(rec["system"], rec["solver"])] = rec
        done = list(dict.fromkeys((rec["system"], rec["solver"]) for rec in lines))
        if status != 0:  # the last configuration started was stopped (or failed)
            if not done:  # it died before its first configuration started
                done = [peers[0]]
                records[peers[0]] = stopped_record(peers[0])
            last = records[done[-1]]
            last["timed_out"] = status == -signal.SIGALRM
            if not last["timed_out"]:
                last["error"] = f"exit status {status}"
        peers = [peer for peer in peers if peer not in done]
    for rec in records.values():
        rec.setdefault("timed_out", False)
        rec["median"] = statistics.median(rec["times"]) if rec["times"] else None
    return list(records.values())


def median_text(rec):
    """A record's median for the progress lines: '12.3 ms', '-', and ' (time limit)' if stopped."""
    median = "-" if rec["median"] is None else f"{rec['median'] * 1e3:.1f} ms"
    return median + (" (time limit)" if rec["timed_out"] else "")
