#!/usr/bin/env python3
"""Fallback for ``/usr/bin/time -v`` (bench.sh uses GNU time when it exists).

Usage: measure.py OUTPUT_FILE COMMAND [ARGS...]

Runs COMMAND, waits for it with os.wait4 and writes its CPU times and peak RSS to OUTPUT_FILE
with GNU time's labels, so bench.sh parses either. Like GNU time, the peak RSS is the largest of
the command and its waited-for descendants (ru_maxrss), not their sum. Exits with the
command's status. Standard library only.
"""
import os
import subprocess
import sys


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    out, cmd = sys.argv[1], sys.argv[2:]
    proc = subprocess.Popen(cmd)
    _, status, ru = os.wait4(proc.pid, 0)
    code = os.waitstatus_to_exitcode(status)
    with open(out, "w") as f:
        f.write(f"\tCommand being timed: \"{' '.join(cmd)}\"\n")
        f.write(f"\tUser time (seconds): {ru.ru_utime:.2f}\n")
        f.write(f"\tSystem time (seconds): {ru.ru_stime:.2f}\n")
        f.write(f"\tMaximum resident set size (kbytes): {ru.ru_maxrss}\n")
        f.write(f"\tExit status: {code if code >= 0 else 128 - code}\n")
    sys.exit(code if code >= 0 else 128 - code)


if __name__ == "__main__":
    main()
