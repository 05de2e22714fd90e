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
OBJ=$BUILD/obj-kasan
build_variant "$OBJ" "$BUILD/kasan-kernel-build.log" KASAN "$TOP"/config/base.config \
	"$TOP"/config/zswap_spm.config "$TOP"/config/debug.config "$TOP"/config/kasan.config
grep -qx 'CONFIG_KASAN=y' "$OBJ/.config" || die "CONFIG_KASAN did not survive the configuration"

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
