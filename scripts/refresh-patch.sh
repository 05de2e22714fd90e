#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Refresh the diff of upstream files in one of our patches from an edited
# kernel tree (for example build/linux, before the next 'make' overwrites
# it): for each FILE, the patch's section for FILE becomes the diff between
# pristine FILE and FILE in TREE, added if the patch had none, dropped if
# empty.  FILE is compared with pristine FILE plus the patches before PATCH
# in the series; no patch after PATCH may touch it.  The mail's text stays;
# its diffstat is rewritten.
# usage: scripts/refresh-patch.sh PATCH TREE FILE...
. "$(dirname "$0")/lib.sh"

[ $# -ge 3 ] || die "usage: $0 PATCH TREE FILE..."
patch=$(realpath "$1"); tree=$(realpath "$2"); shift 2
VER=$(cat "$CACHE/kernel-version")
name=$(basename "$patch")
base=$(mktemp -d)
trap 'rm -rf "$base"' EXIT
after=0
for p in $(awk '$1 !~ /^#/ && NF { print $1 }' "$TOP/patches/series"); do
	if [ "$p" = "$name" ]; then
		after=1
		continue
	fi
	for f in "$@"; do
		grep -q "^+++ b/$f\$" "$TOP/patches/$p" || continue
		[ $after = 0 ] || die "$p, after $name, touches $f too"
	done
done
# The base of each FILE: pristine, with the patches before PATCH applied.
for f in "$@"; do
	if [ -e "$CACHE/linux-$VER/$f" ]; then
		mkdir -p "$base/$(dirname "$f")"
		cp "$CACHE/linux-$VER/$f" "$base/$f"
	fi
done
for p in $(awk '$1 !~ /^#/ && NF { print $1 }' "$TOP/patches/series"); do
	[ "$p" != "$name" ] || break
	for f in "$@"; do
		grep -q "^+++ b/$f\$" "$TOP/patches/$p" || continue
		python3 - "$TOP/patches/$p" "$f" <<'PY' | patch -s -p1 -d "$base" ||
import re, sys
text = open(sys.argv[1]).read()
for s in re.split(r'(?m)^(?=diff --git )', text):
    if s.startswith('diff --git a/%s b/' % sys.argv[2]):
        sys.stdout.write(s)
PY
			die "$p does not apply to $f"
	done
done

python3 - "$patch" "$base" "$tree" "$@" <<'EOF'
import os, re, subprocess, sys
patch, a, tree, files = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
text = open(patch).read()
head, sep, rest = text.partition('\ndiff --git ')
if not sep:
    sys.exit(f'{patch}: no diff')
sections = [s for s in re.split(r'(?m)^(?=diff --git )', 'diff --git ' + rest) if s]
by = {re.match(r'diff --git a/(\S+) b/', s).group(1): s for s in sections}
for f in files:
    old, new = os.path.join(a, f), os.path.join(tree, f)
    out = subprocess.run(['diff', '-up', '--label', 'a/' + f, '--label', 'b/' + f,
                          old if os.path.exists(old) else '/dev/null', new],
                         capture_output=True, text=True).stdout
    if out and not os.path.exists(old):
        out = 'new file mode 100644\n' + out.replace('--- a/' + f, '--- /dev/null', 1)
    by[f] = 'diff --git a/%s b/%s\n%s' % (f, f, out) if out else ''
body = ''.join(by[f] for f in sorted(by) if by[f])
# The diffstat as format-patch writes it, from git apply's counts.
num = subprocess.run(['git', 'apply', '--numstat', '-'], input=body,
                     capture_output=True, text=True, check=True).stdout
rows = [(int(ad), int(de), f) for ad, de, f in
        (l.split('\t') for l in num.splitlines())]
wname = max(len(f) for _, _, f in rows)
most = max(ad + de for ad, de, _ in rows)
wnum = len(str(most))
bar = 72 - wname - wnum - 4
scale = (lambda n: n) if most <= bar else (lambda n: (n * bar + most - 1) // most if n else 0)
stat = ''.join(' %-*s | %*d %s\n' % (wname, f, wnum, ad + de,
                                      '+' * scale(ad) + '-' * scale(de))
               for ad, de, f in rows)
ins, dels = sum(r[0] for r in rows), sum(r[1] for r in rows)
summary = ' %d file%s changed' % (len(rows), '' if len(rows) == 1 else 's')
if ins or not dels:
    summary += ', %d insertion%s(+)' % (ins, '' if ins == 1 else 's')
if dels:
    summary += ', %d deletion%s(-)' % (dels, '' if dels == 1 else 's')
stat += summary + '\n'
m = re.search(r'(?s)\n---\n.*$', head)
if m:
    head = head[:m.start()]
open(patch, 'w').write(head + '\n---\n' + stat + '\n' + body)
EOF
info "$name: refreshed $*"
