#!/usr/bin/env python3
"""Wait until the machine is idle, then run a command (for benchmarking on a shared machine).

Usage:
    python3 bench/wait_for_idle.py [--busy 0.05] [--quiet-seconds 10] [--max-wait 1800] -- CMD ARGS...

Polls /proc/stat once a second and starts CMD once the whole machine's busy share (all CPUs, all
processes) has stayed below --busy for --quiet-seconds in a row, or when --max-wait seconds have
passed (then it warns and runs anyway). Exits with CMD's status. Standard library only, Linux only.
"""

import argparse
import os
import sys
import time


def busy_ticks():
    with open("/proc/stat") as f:
        fields = f.readline().split()[1:]
    user, nice, system, idle, iowait, irq, softirq, steal = (int(x) for x in fields[:8])
    return user + nice + system + irq + softirq + steal, idle + iowait


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--busy", type=float, default=0.05, help="busy share of all CPUs that counts as idle")
    p.add_argument("--quiet-seconds", type=int, default=10)
    p.add_argument("--max-wait", type=float, default=1800)
    p.add_argument("cmd", nargs=argparse.REMAINDER)
    a = p.parse_args()
    cmd = a.cmd[1:] if a.cmd[:1] == ["--"] else a.cmd
    if not cmd:
        p.error("no command given")
    start = time.time()
    quiet = 0
    prev = busy_ticks()
    while quiet < a.quiet_seconds:
        time.sleep(1)
        cur = busy_ticks()
        busy, total = cur[0] - prev[0], (cur[0] - prev[0]) + (cur[1] - prev[1])
        prev = cur
        share = busy / total if total else 0.0
        quiet = quiet + 1 if share < a.busy else 0
        if time.time() - start > a.max_wait:
            print("wait_for_idle: still busy (%.0f%%) after %.0f s, running anyway" % (100 * share, a.max_wait),
                  file=sys.stderr)
            break
    else:
        print("wait_for_idle: machine idle for %d s after %.0f s of waiting" % (a.quiet_seconds, time.time() - start),
              file=sys.stderr)
    sys.stderr.flush()
    os.execvp(cmd[0], cmd)


if __name__ == "__main__":
    main()
