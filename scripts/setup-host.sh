#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install what the host needs to build the kernel and the guest root file
# system.  Packages come from the host's own suite (Debian 12, bookworm).
. "$(dirname "$0")/lib.sh"
need_root "${1:-check}"

PKGS="build-essential bc bison flex libelf-dev libssl-dev ccache debootstrap
cpio rsync gawk kmod curl xz-utils zstd python3 perl git libcap-ng-dev
libmnl-dev gnuplot-nox libnuma-dev libcap-dev"

mkdir -p "$CACHE"
missing=()
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	log "installing host packages: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq || die "apt-get update failed: is the package archive reachable?"
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$CACHE/host-apt.log" 2>&1 || {
		tail -n 20 "$CACHE/host-apt.log" >&2
		die "apt-get install failed for: ${missing[*]} (log: $CACHE.host-apt.log)"
	}
fi
