#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# 'make series': export our work as a git format-patch series against the
# pristine base.  patches/series lists, in order, each commit's mail (a
# format-patch file whose diff changes upstream files; the diff may be empty)
# followed by the new files (or directories) of ours that the commit adds.
# Every new file must belong to exactly one commit.  BUILD_EACH=1 builds the
# kernel at every commit.  The cover letter (patch 0000) takes its subject
# and text from patches/cover-letter.txt.
. "$(dirname "$0")/lib.sh"

"$TOP"/scripts/fetch-kernel.sh >/dev/null
VER=$(cat "$CACHE/kernel-version")
G=$BUILD/series-git
OUT=$TOP/out/series

if [ "$(cat "$G/.zswap-spm-base" 2>/dev/null)" != "$VER" ]; then
	log "making a git repository of pristine $KPKG $VER (once)"
	rm -rf "$G"
	cp -a "$CACHE/linux-$VER" "$G"
	rm -f "$G/.complete"
	git -C "$G" init -q
	git -C "$G" add -f -A .
	git -C "$G" -c user.name=base -c user.email=base@invalid commit -q \
		-m "Linux $(make -s -C "$G" kernelversion) ($KPKG $VER)"
	git -C "$G" tag -f base >/dev/null
	echo "$VER" >"$G/.git/../.zswap-spm-base"
fi
git -C "$G" checkout -q -f -B series base
git -C "$G" clean -qfdx -e .zswap-spm-base

assigned=$(mktemp)
trap 'rm -f "$assigned"' EXIT
while read -r mail files; do
	case "$mail" in ''|'#'*) continue ;; esac
	[ -f "$TOP/patches/$mail" ] || die "patches/series names $mail, which does not exist"
	if grep -q '^diff --git' "$TOP/patches/$mail"; then
		git -C "$G" am -q --keep-cr "$TOP/patches/$mail" ||
			{ git -C "$G" am --abort; die "$mail does not apply to $KPKG $VER"; }
	else
		# A commit that only adds new files: its mail has no diff.
		author=$(sed -n 's/^From: //p' "$TOP/patches/$mail" | head -n1)
		{
			sed -n 's/^Subject: \(\[PATCH[^]]*\] \)\{0,1\}//p' "$TOP/patches/$mail" | head -n1
			echo
			sed '1,/^$/d; /^---$/,$d' "$TOP/patches/$mail"
		} >"$BUILD/series-msg"
		git -C "$G" commit -q --allow-empty --author="$author" -F "$BUILD/series-msg"
	fi
	for f in $files; do
		list=$(cd "$TOP" && git ls-files -co --exclude-standard -- "$f")
		[ -n "$list" ] || die "$mail: no file matches $f"
		for x in $list; do
			mkdir -p "$G/$(dirname "$x")"
			cp "$TOP/$x" "$G/$x"
			echo "$x" >>"$assigned"
		done
		git -C "$G" add -f -- "$f"
	done
	git -C "$G" commit -q --amend --no-edit --allow-empty
	if [ "${BUILD_EACH:-0}" = 1 ]; then
		log "building at $(git -C "$G" log -1 --format=%s)"
		make -s -C "$G" O="$BUILD/series-obj" KCONFIG_ALLCONFIG="$BUILD/obj/fragment.config" allnoconfig >/dev/null
		make -s -C "$G" O="$BUILD/series-obj" CC="ccache gcc" -j"$(($(nproc) + 1))" bzImage ||
			die "the series does not build at: $mail"
	fi
done <"$TOP/patches/series"

ours=$(cd "$TOP" && git ls-files -co --exclude-standard -- mm include drivers Documentation tools/testing/selftests/zswap_spm | sort)
missing=$(comm -23 <(echo "$ours") <(sort -u "$assigned"))
[ -z "$missing" ] || die "new files not in any commit of patches/series: $missing"
dups=$(sort "$assigned" | uniq -d)
[ -z "$dups" ] || die "new files in more than one commit: $dups"

rm -rf "$OUT"
mkdir -p "$OUT"
git -C "$G" format-patch -q --cover-letter -o "$OUT" base..series
# The cover letter's subject and text: patches/cover-letter.txt (its first
# line, then the rest after a blank line); format-patch adds the shortlog
# and the diffstat.
cover=$OUT/0000-cover-letter.patch
python3 - "$cover" "$TOP/patches/cover-letter.txt" <<'PY' ||
import sys
cover, text = sys.argv[1], open(sys.argv[2]).read().rstrip('\n')
subject, _, blurb = text.partition('\n\n')
s = open(cover).read()
assert '*** SUBJECT HERE ***' in s and '*** BLURB HERE ***' in s
s = s.replace('*** SUBJECT HERE ***', subject.strip(), 1)
s = s.replace('*** BLURB HERE ***', blurb, 1)
open(cover, 'w').write(s)
PY
	die "could not write the cover letter from patches/cover-letter.txt"
log "series: $(ls "$OUT" | wc -l) patches in out/series"
ls "$OUT" >&2
