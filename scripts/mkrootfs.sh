#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build (once) the guest root file system: Debian trixie minbase with the
# guest tools, plus QEMU from trixie-backports, which the host runs from here.
# The result is cached under $CACHE, keyed by the package list and this
# script, and created atomically: an interrupted build leaves nothing that a
# later run would trust.  Prints the root file system's path.
. "$(dirname "$0")/lib.sh"

LIST=$TOP/config/rootfs.packages
# Bump when the steps below change what they build.
ROOTFS_RECIPE=2
key=$( (cat "$LIST"; echo "$ROOTFS_RECIPE") | sha256sum | cut -c1-12)
ROOTFS=$CACHE/rootfs-$key

# A cached root file system is trusted only if it is complete and whole.
rootfs_ok() {
	[ -f "$1/.complete" ] && [ -x "$1/bin/bash" ] && [ -x "$1/sbin/zswap-spm-init" ] &&
		[ -x "$1/usr/bin/qemu-system-x86_64" ] && [ -x "$1/usr/bin/cxl" ] &&
		[ -x "$1/lib64/ld-linux-x86-64.so.2" ]
}
if rootfs_ok "$ROOTFS"; then
	echo "$ROOTFS"
	exit 0
fi
[ -e "$ROOTFS" ] && echo "mkrootfs: $ROOTFS is incomplete or damaged; rebuilding it" >&2
need_root "check"

pkgs() { sed -n "s/^$1:[[:space:]]*//p" "$LIST" | tr -s ' \n' ' '; }
MAIN=$(pkgs trixie)
BPO=$(pkgs trixie-backports)
M=$(mirror)
check_suite "$M" trixie
check_suite "$M" trixie-backports

build() {
	local r=$TMPDIR_NEW
	log "debootstrap trixie (minbase) into $r"
	debootstrap --variant=minbase --include="$(echo $MAIN | tr ' ' ,)" \
		trixie "$r" "$M" >"$CACHE/debootstrap.log" 2>&1 || {
		tail -n 20 "$CACHE/debootstrap.log" >&2
		die "debootstrap failed (log: $CACHE/debootstrap.log); a package in $LIST may not exist in trixie"
	}
	cat >"$r/etc/apt/sources.list" <<-SRC
	deb $M trixie main
	deb $M trixie-backports main
	SRC
	mount -t proc proc "$r/proc"
	trap 'umount "'"$r"'/proc" 2>/dev/null || true' EXIT
	log "installing from trixie-backports: $BPO"
	chroot "$r" sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends -t trixie-backports $BPO && apt-get clean" \
		>"$CACHE/rootfs-bpo.log" 2>&1 || {
		tail -n 20 "$CACHE/rootfs-bpo.log" >&2
		die "installing $BPO from trixie-backports failed (log: $CACHE/rootfs-bpo.log)"
	}
	umount "$r/proc"
	rm -f "$r/etc/apt/sources.list"
	mkdir -p "$r/share"
	echo zswap-spm >"$r/etc/hostname"
	# The guest's PID 1: mount the project share and hand over to its init.
	cat >"$r/sbin/zswap-spm-init" <<-'INIT'
	#!/bin/sh
	mount -t proc proc /proc
	mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,cache=none share /share ||
		{ echo "zswap-spm-init: cannot mount the share"; echo b >/proc/sysrq-trigger; }
	exec /bin/bash /share/init.sh
	INIT
	chmod 755 "$r/sbin/zswap-spm-init"
	local v
	v=$(chroot "$r" dpkg-query -W -f='${Version}' qemu-system-x86)
	echo "$v" >"$r/.qemu-version"
	info "qemu-system-x86 $v"
	touch "$r/.complete"
}

mkdir -p "$CACHE"
# Older root file systems from other package lists are removed.
for old in "$CACHE"/rootfs-*; do
	[ -e "$old" ] && [ "$old" != "$ROOTFS" ] && rm -rf "$old"
done
# Whatever stops the build, nothing half-made stays behind.
atomic_dir "$ROOTFS" build || die "building the root file system failed"
echo "$ROOTFS"
