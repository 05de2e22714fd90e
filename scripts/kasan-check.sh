#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# One run of kselftests on a KASAN kernel: the test kernel's configuration
# plus config/kasan.config, built in $BUILD/obj-kasan (a full build, about
# as long as the first test kernel build), booted like 'make check'.  A
# KASAN report on the console fails the run.  Not part of 'make check'.
# usage: scripts/kasan-check.sh [collection | collection:test ...]
#        (default: zswap_spm:zswap_spm)
. "$(dirname "$0")/lib.sh"

"$TOP"/scripts/prepare.sh
KTREE=$BUILD/linux
OBJ=$BUILD/obj-kasan
mkdir -p "$OBJ" "$CACHE/ccache"
export CCACHE_DIR=$CACHE/ccache CCACHE_MAXSIZE=5G CCACHE_BASEDIR=$TOP
KMAKE=(make -s -C "$KTREE" O="$OBJ" CC="ccache gcc" HOSTCC="ccache gcc" -j"$(($(nproc) + 1))")

cat "$TOP"/config/base.config "$TOP"/config/zswap_spm.config "$TOP"/config/debug.config \
	"$TOP"/config/kasan.config >"$OBJ/fragment.config"
if ! cmp -s "$OBJ/fragment.config" "$OBJ/fragment.config.used" || [ ! -f "$OBJ/.config" ]; then
	log "configuring the KASAN kernel"
	make -s -C "$KTREE" O="$OBJ" KCONFIG_ALLCONFIG="$OBJ/fragment.config" allnoconfig >/dev/null
	grep -qx 'CONFIG_KASAN=y' "$OBJ/.config" || die "CONFIG_KASAN did not survive the configuration"
	cp "$OBJ/fragment.config" "$OBJ/fragment.config.used"
fi
log "building the KASAN kernel"
start=$(date +%s)
"${KMAKE[@]}" bzImage >"$BUILD/kasan-kernel-build.log" 2>&1 ||
	die "KASAN kernel build failed (log: $BUILD/kasan-kernel-build.log)"
info "KASAN bzImage built in $(($(date +%s) - start)) s"

[ $# -gt 0 ] || set -- zswap_spm:zswap_spm
set +e
KERNEL=$OBJ/arch/x86/boot/bzImage "$TOP"/scripts/vm.sh --timeout "${CHECK_TIMEOUT:-3600}" \
	"${VMOPTS_ARGS[@]}" --log "$BUILD/kasan-console.log" -- /share/check.sh "$@"
vrc=$?
python3 "$TOP"/scripts/tap-summary.py $(for s in "$@"; do
	echo "$s=$BUILD/share/results/kselftest-${s//[:\/]/_}.tap"; done)
trc=$?
grep -q 'BUG: KASAN' "$BUILD/kasan-console.log" && { echo "KASAN report on the console: $BUILD/kasan-console.log" >&2; exit 1; }
[ "$vrc" = 0 ] && exit "$trc"
exit 1
