#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The benchmark kernel: the test kernel's configuration without
# config/debug.config (lockdep, DEBUG_VM, KFENCE weigh on the paths the
# benchmarks time), built in $BUILD/obj-bench.  'make bench KERNEL=bench'.
. "$(dirname "$0")/lib.sh"

KTREE=$BUILD/linux
OBJ=$BUILD/obj-bench
[ -f "$KTREE/.complete" ] || die "no kernel tree; run scripts/fetch-kernel.sh first"
mkdir -p "$OBJ" "$CACHE/ccache"
export CCACHE_DIR=$CACHE/ccache CCACHE_MAXSIZE=5G CCACHE_BASEDIR=$TOP
KMAKE=(make -s -C "$KTREE" O="$OBJ" CC="ccache gcc" HOSTCC="ccache gcc" -j"$(($(nproc) + 1))")

cat "$TOP"/config/base.config "$TOP"/config/zswap_spm.config >"$OBJ/fragment.config"
if ! cmp -s "$OBJ/fragment.config" "$OBJ/fragment.config.used" || [ ! -f "$OBJ/.config" ]; then
	log "configuring the benchmark kernel (no debug options)"
	make -s -C "$KTREE" O="$OBJ" KCONFIG_ALLCONFIG="$OBJ/fragment.config" allnoconfig >/dev/null
	cp "$OBJ/fragment.config" "$OBJ/fragment.config.used"
fi
log "building the benchmark kernel"
start=$(date +%s)
"${KMAKE[@]}" bzImage >"$BUILD/bench-kernel-build.log" 2>&1 ||
	die "benchmark kernel build failed (log: $BUILD/bench-kernel-build.log)"
info "benchmark bzImage built in $(($(date +%s) - start)) s"
