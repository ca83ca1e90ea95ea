#!/usr/bin/env python3
"""Runs the command transcripts of README.md and docs/*.md that are marked for checking, and compares
what the binary prints today with what the documentation shows.

A transcript is a fenced block right after the line `<!-- check -->`:

    <!-- check -->
    ```
    $ build/ingressguard scan examples/gateway/migration.yaml
    ...
    7 findings (0 critical, 4 high, 3 medium, 0 low, 0 info) in 5 objects from 1 file
    $ echo $?
    1
    ```

Lines starting with `$ ` are commands (a trailing backslash continues one on the next line), run with bash
from the repository root; `build/ingressguard` and `ingressguard` at the start of a command or after a pipe
stand for the binary under test. The lines after a command are its expected output (standard output and
error), compared exactly (trailing blanks aside): consecutive lines must be consecutive in the output, and a
line `...` or `(... anything ...)` stands for any number of lines. Without a leading gap the output must
start with the first expected line; without a trailing one, end with the last. `echo $?` prints the exit code
of the command before it.

The numbers of rules the documents state (`120 rules`) are compared with the catalogue too.

Usage: scripts/check_docs.py BINARY [FILE.md ...]   (default: README.md and docs/*.md)
Exit 0 when everything matches, 1 with a report of each difference otherwise.
"""
import glob
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MARK = "<!-- check -->"
GAP = re.compile(r"^(\.\.\.|\(\.\.\. .* \.\.\.\))$")
COMMAND_WORD = re.compile(r"(^|\|\s*)(?:build/)?ingressguard(?=\s|$)")


def transcripts(path):
    """Yields (line number, [(command, [expected lines])]) for every marked block."""
    lines = open(path, encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        if lines[i].strip() != MARK:
            i += 1
            continue
        j = i + 1
        while j < len(lines) and not lines[j].strip():
            j += 1
        if j >= len(lines) or not lines[j].startswith("```"):
            raise SystemExit(f"{path}:{i + 1}: {MARK} is not followed by a fenced block")
        start = j + 1
        end = start
        while end < len(lines) and not lines[end].startswith("```"):
            end += 1
        steps = []
        k = start
        while k < end:
            line = lines[k]
            if line.startswith("$ "):
                command = line[2:]
                while command.endswith("\\") and k + 1 < end:
                    k += 1
                    command = command[:-1] + "\n" + lines[k]
                steps.append((command, []))
            elif steps:
                steps[-1][1].append(line.rstrip())
            else:
                raise SystemExit(f"{path}:{k + 1}: a checked block must start with a `$ ` command")
            k += 1
        yield start, steps
        i = end + 1


def matches(expected, actual):
    """Whether `actual` lines fit `expected` with its gap lines; returns (ok, explanation)."""
    segments, current, gaps = [], [], []
    for line in expected:
        if GAP.match(line):
            segments.append(current)
            current = []
            gaps.append(True)
        else:
            current.append(line)
    segments.append(current)
    anchored_start = not expected or not GAP.match(expected[0])
    anchored_end = not expected or not GAP.match(expected[-1])
    pos = 0
    for n, seg in enumerate(segments):
        if not seg:
            continue
        if n == 0 and anchored_start:
            found = 0 if actual[: len(seg)] == seg else -1
        else:
            found = -1
            for at in range(pos, len(actual) - len(seg) + 1):
                if actual[at : at + len(seg)] == seg:
                    found = at
                    break
        if found < 0:
            return False, "not found in the output: " + seg[0]
        pos = found + len(seg)
        if n == len(segments) - 1 and anchored_end and pos != len(actual):
            return False, "the output goes on after: " + seg[-1]
    return True, ""


def run(command, binary):
    command = COMMAND_WORD.sub(lambda m: m.group(1) + binary, command)
    env = dict(os.environ, NO_COLOR="1", TERM="dumb")
    p = subprocess.run(["bash", "-c", command + " 2>&1"], cwd=ROOT, env=env, capture_output=True, timeout=120)
    out = p.stdout.decode("utf-8", "replace").split("\n")
    if out and out[-1] == "":
        out.pop()
    return p.returncode, [line.rstrip() for line in out]


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    binary = os.path.abspath(sys.argv[1])
    files = sys.argv[2:] or [os.path.join(ROOT, "README.md")] + sorted(glob.glob(os.path.join(ROOT, "docs", "*.md")))
    failures, checked = [], 0
    for path in files:
        rel = os.path.relpath(path, ROOT)
        for line_no, steps in transcripts(path):
            rc = 0
            for command, expected in steps:
                checked += 1
                if command.strip() == "echo $?":
                    got_rc, actual = 0, [str(rc)]
                else:
                    got_rc, actual = run(command, binary)
                ok, why = matches(expected, actual)
                if not ok:
                    shown = "\n".join("    " + a for a in actual[:40])
                    failures.append(f"{rel}:{line_no}: $ {command}\n  {why}\n  the output today:\n{shown}")
                rc = got_rc
        text = open(path, encoding="utf-8").read()
        if rel == "README.md":
            catalogue = json.loads(subprocess.run([binary, "rules", "--format", "json"], capture_output=True).stdout)
            rules = sum(1 for r in catalogue if r.get("command") == "scan")
            for m in re.finditer(r"\b(\d+) rules\b", text):
                if int(m.group(1)) != rules:
                    line = text.count("\n", 0, m.start()) + 1
                    failures.append(f"{rel}:{line}: says {m.group(1)} rules; the catalogue has {rules}")
    for f in failures:
        print(f, file=sys.stderr)
    print(f"check_docs: {checked} commands in {len(files)} files, {len(failures)} differences")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
