#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Summarise KTAP/TAP result files from a 'make check' run.

Counts leaf test cases: a result line with subtests below it is a parent and
is not counted itself, except that a failed parent whose subtests all passed
(a crash or a timeout after the last case) counts as one failure.  Nesting is
either KTAP indentation (4 spaces) or kselftest's "# " prefix.

usage: tap-summary.py SUITE=FILE...   exits 1 on any failure or empty suite
"""
import re
import sys

RESULT = re.compile(r'^(not ok|ok)\b\s*(\d+)?\s*(?:-\s*)?(.*)$')


def depth_and_body(line):
    depth = 0
    while True:
        if line.startswith('    '):
            line, depth = line[4:], depth + 1
        elif line.startswith('# '):
            line, depth = line[2:], depth + 1
        elif line.startswith('\t'):
            line, depth = line[1:], depth + 1
        else:
            return depth, line


def parse(path):
    """Return a list of (status, name) for leaf results: pass, fail, skip."""
    leaves = []
    children = {}          # depth -> list of leaf statuses seen below it
    try:
        lines = open(path, errors='replace').read().splitlines()
    except OSError:
        return None
    for raw in lines:
        depth, body = depth_and_body(raw.rstrip('\r'))
        m = RESULT.match(body)
        if not m:
            continue
        ok = m.group(1) == 'ok'
        rest = m.group(3)
        name, _, directive = rest.partition(' # ')
        if not directive and rest.startswith('# '):
            name, directive = '', rest[2:]
        skip = directive.strip().upper().startswith('SKIP')
        below = []
        for d in [k for k in children if k > depth]:
            below += children.pop(d)
        if below:
            # A parent: its leaves are already counted.
            if not ok and 'fail' not in below:
                leaves.append(('fail', name.strip() + ' (no failing case: crash or timeout?)'))
                below.append('fail')
            children.setdefault(depth, []).extend(below)
            continue
        status = 'skip' if skip else ('pass' if ok else 'fail')
        leaves.append((status, name.strip() + (' # ' + directive.strip() if directive else '')))
        children.setdefault(depth, []).append(status)
    return leaves


def main():
    total = {'pass': 0, 'fail': 0, 'skip': 0}
    bad = False
    for arg in sys.argv[1:]:
        suite, _, path = arg.partition('=')
        leaves = parse(path)
        if not leaves:
            print(f'{suite:28} no results ({path}): counted as 1 failure')
            total['fail'] += 1
            bad = True
            continue
        n = {k: sum(1 for s, _ in leaves if s == k) for k in total}
        print(f"{suite:28} {n['pass']:4} passed, {n['fail']:3} failed, {n['skip']:3} skipped")
        for s, name in leaves:
            if s == 'fail':
                print(f'    FAIL {name}')
            elif s == 'skip':
                print(f'    skip {name}')
        for k in total:
            total[k] += n[k]
        bad |= n['fail'] > 0
    print(f"{total['pass']} passed, {total['fail']} failed, {total['skip']} skipped")
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
