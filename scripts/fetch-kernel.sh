#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fetch Debian's linux-source-7.3 (trixie-backports), keep a pristine copy in
# the cache, and make $BUILD/linux = pristine + patches/ + our new files.
#
# Only the files our work touches are rewritten, and only when their content
# changes, so an incremental kernel build stays incremental.
. "$(dirname "$0")/lib.sh"

mkdir -p "$CACHE" "$BUILD"
M=$(mirror)
A=$CACHE/apt

fetch_deb() {
	mkdir -p "$A/state/lists/partial" "$A/cache/archives/partial" "$CACHE/debs"
	echo "deb $M $KSUITE main" >"$A/sources.list"
	# shellcheck disable=SC2046
	apt-get $(apt_private) -qq update ||
		die "cannot read $KSUITE from $M: is the package archive reachable?"
	# shellcheck disable=SC2046
	local ver
	ver=$(apt-cache $(apt_private) show "$KPKG" 2>/dev/null | sed -n 's/^Version: //p' | sort -V | tail -n1)
	[ -n "$ver" ] || die "package $KPKG not found in $KSUITE"
	if [ ! -f "$CACHE/debs/${KPKG}_${ver}.deb" ]; then
		log "downloading $KPKG $ver"
		# shellcheck disable=SC2046
		(cd "$CACHE/debs" && apt-get $(apt_private) -qq download "$KPKG=$ver") ||
			die "downloading $KPKG=$ver failed"
		mv "$CACHE/debs/${KPKG}_$(echo "$ver" | sed 's/:/%3a/')_all.deb" \
			"$CACHE/debs/${KPKG}_${ver}.deb"
	fi
	echo "$ver"
}

# The version: pinned by a previous fetch unless REFRESH=1.  A cached
# package that dpkg cannot read is removed and fetched again.
if [ -f "$CACHE/kernel-version" ]; then
	deb="$CACHE/debs/${KPKG}_$(cat "$CACHE/kernel-version").deb"
	if [ -f "$deb" ] && [ ! -f "$CACHE/linux-$(cat "$CACHE/kernel-version")/.complete" ] &&
	   ! (dpkg-deb --fsys-tarfile "$deb" | tar -t >/dev/null) 2>/dev/null; then
		echo "fetch-kernel: $deb is damaged; fetching it again" >&2
		rm -f "$deb"
		rm -rf "$CACHE/linux-$(cat "$CACHE/kernel-version")"
	fi
fi
if [ -f "$CACHE/kernel-version" ] && [ "${REFRESH:-0}" != 1 ] &&
   [ -f "$CACHE/debs/${KPKG}_$(cat "$CACHE/kernel-version").deb" ]; then
	VER=$(cat "$CACHE/kernel-version")
else
	need_root check
	check_suite "$M" "$KSUITE"
	VER=$(fetch_deb)
	echo "$VER" >"$CACHE/kernel-version"
fi
PRISTINE=$CACHE/linux-$VER

unpack() {
	local t=$TMPDIR_NEW
	log "unpacking $KPKG $VER"
	local d=$CACHE/deb.tmp.$$
	rm -rf "$d" && mkdir -p "$d"
	dpkg-deb --fsys-tarfile "$CACHE/debs/${KPKG}_${VER}.deb" |
		tar -x -C "$d" --wildcards '*/linux-source-7.3.tar.*' &&
	tar -x -C "$t" -f "$d"/usr/src/linux-source-7.3.tar.* --strip-components=1 || {
		rm -rf "$d" "$CACHE/debs"
		die "the cached $KPKG package was corrupt and is removed; run again to download it"
	}
	rm -rf "$d"
	[ -f "$t/Makefile" ] && [ -f "$t/mm/zswap.c" ] || die "unexpected layout in $KPKG"
	touch "$t/.complete"
}
[ -f "$PRISTINE/.complete" ] || atomic_dir "$PRISTINE" unpack || die "unpacking $KPKG failed"
info "base: $KPKG $VER ($(make -s -C "$PRISTINE" kernelversion 2>/dev/null))"
echo "$KPKG $VER" >"$BUILD/base-version"

# Our new files, relative to the kernel tree.
overlay_files() {
	(cd "$TOP" && git ls-files -co --exclude-standard -- mm include drivers Documentation \
		tools/testing/selftests/zswap_spm lib 2>/dev/null || true) | sort -u
}
# The patches, in the order of patches/series.
series_patches() {
	[ -f "$TOP/patches/series" ] || return 0
	awk '$1 !~ /^#/ && NF { print $1 }' "$TOP/patches/series" | while read -r p; do
		[ -f "$TOP/patches/$p" ] || die "patches/series names $p, which does not exist"
		echo "$TOP/patches/$p"
	done
}
patch_files() {
	local p
	for p in $(series_patches); do
		sed -n 's|^+++ b/\([^[:space:]]*\).*|\1|p; s|^--- a/\([^[:space:]]*\).*|\1|p' "$p"
	done | sort -u
}

KTREE=$BUILD/linux
if [ ! -f "$KTREE/.complete" ] || [ "$(cat "$KTREE/.base" 2>/dev/null)" != "$VER" ]; then
	log "copying pristine tree to $KTREE"
	rm -rf "$KTREE"
	cp -a "$PRISTINE" "$KTREE"
	echo "$VER" >"$KTREE/.base"
	: >"$KTREE/.touched"
fi

# Stage: pristine copies of every file our patches touch, patched in order,
# then our new files on top.
STAGE=$BUILD/stage
rm -rf "$STAGE"
mkdir -p "$STAGE"
for f in $(patch_files); do
	if [ -f "$PRISTINE/$f" ]; then
		mkdir -p "$STAGE/$(dirname "$f")"
		cp -p "$PRISTINE/$f" "$STAGE/$f"
	fi
done
for p in $(series_patches); do
	grep -q '^+++ ' "$p" || continue	# a commit that only adds new files
	if ! out=$(patch -d "$STAGE" -p1 --batch --forward --no-backup-if-mismatch -r - <"$p" 2>&1); then
		printf '%s\n' "$out" | grep -E 'FAILED|can.t find file|malformed|Reversed|No file' >&2 || printf '%s\n' "$out" >&2
		die "patch $(basename "$p") does not apply to $KPKG $VER (files above)"
	fi
done
for f in $(overlay_files); do
	mkdir -p "$STAGE/$(dirname "$f")"
	cp -p "$TOP/$f" "$STAGE/$f"
done

# Sync: write only what changed; restore files we no longer touch.
now=$(cd "$STAGE" && find . -type f -printf '%P\n' | sort)
changed=0
for f in $now; do
	if ! cmp -s "$STAGE/$f" "$KTREE/$f"; then
		mkdir -p "$KTREE/$(dirname "$f")"
		cp "$STAGE/$f" "$KTREE/$f"
		changed=$((changed + 1))
	fi
done
for f in $(comm -23 <(sort "$KTREE/.touched") <(echo "$now")); do
	if [ -f "$PRISTINE/$f" ]; then
		cp -p "$PRISTINE/$f" "$KTREE/$f"
	else
		rm -f "$KTREE/$f"
	fi
	changed=$((changed + 1))
done
echo "$now" >"$KTREE/.touched"
touch "$KTREE/.complete"
info "tree: $KTREE ($changed files updated)"
