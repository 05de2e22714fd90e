#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Configure and build the test kernel in $BUILD/obj (ccache), then build and
# install the kselftests into $BUILD/share/kselftest.
. "$(dirname "$0")/lib.sh"

KTREE=$BUILD/linux
OBJ=$BUILD/obj
SHARE=$BUILD/share
[ -f "$KTREE/.complete" ] || die "no kernel tree; run scripts/fetch-kernel.sh first"
mkdir -p "$OBJ" "$SHARE" "$CACHE/ccache"
export CCACHE_DIR=$CACHE/ccache CCACHE_MAXSIZE=5G CCACHE_BASEDIR=$TOP
JOBS=$(($(nproc) + 1))
KMAKE=(make -s -C "$KTREE" O="$OBJ" CC="ccache gcc" HOSTCC="ccache gcc" -j"$JOBS")

# Configuration: allnoconfig with our fragments forced, rewritten only when it
# changes so that a warm build stays incremental.
FRAGS=("$TOP"/config/base.config "$TOP"/config/zswap_spm.config "$TOP"/config/debug.config)
cat "${FRAGS[@]}" >"$OBJ/fragment.config"
if ! cmp -s "$OBJ/fragment.config" "$OBJ/fragment.config.used" || [ ! -f "$OBJ/.config" ]; then
	log "configuring the kernel"
	mkdir -p "$OBJ/cfg"
	make -s -C "$KTREE" O="$OBJ/cfg" KCONFIG_ALLCONFIG="$OBJ/fragment.config" allnoconfig >/dev/null
	# Every option we ask for must survive: a missing dependency fails here.
	bad=0
	while read -r line; do
		case "$line" in
		CONFIG_*=*)
			grep -qxF "$line" "$OBJ/cfg/.config" ||
				{ echo "config: $line requested, got: $(grep -E "^(# )?${line%%=*}[= ]" "$OBJ/cfg/.config" || echo unset)" >&2; bad=1; } ;;
		esac
	done <"$OBJ/fragment.config"
	[ $bad = 0 ] || die "kernel configuration is missing options (above)"
	cmp -s "$OBJ/cfg/.config" "$OBJ/.config" || cp "$OBJ/cfg/.config" "$OBJ/.config"
	cp "$OBJ/fragment.config" "$OBJ/fragment.config.used"
fi

log "building the kernel ($(nproc) cores, ccache)"
start=$(date +%s)
if ! "${KMAKE[@]}" bzImage >"$BUILD/kernel-build.log" 2>&1; then
	grep -E -B2 -A3 'error|Error' "$BUILD/kernel-build.log" | head -n 40 >&2
	die "kernel build failed (log: $BUILD/kernel-build.log)"
fi
info "bzImage built in $(($(date +%s) - start)) s"

log "building kselftests"
"${KMAKE[@]}" headers >/dev/null
SELFTESTS="zswap_spm cgroup mm"
rm -rf "$SHARE/kselftest"
make -s -C "$KTREE/tools/testing/selftests" O="$OBJ/kselftest" \
	KHDR_INCLUDES="-isystem $OBJ/usr/include" TARGETS="$SELFTESTS" \
	INSTALL_PATH="$SHARE/kselftest" -j"$JOBS" install >"$BUILD/kselftest-build.log" 2>&1 || {
	grep -E 'error|Error' "$BUILD/kselftest-build.log" | head -n 20 >&2
	die "kselftest build failed (log: $BUILD/kselftest-build.log)"
}
# The selftests' install goes on past a target that fails to build: make
# sure each of our programs is there.
for c in "$TOP"/tools/testing/selftests/zswap_spm/*.c; do
	t=$(basename "$c" .c)
	[ "$t" = spm_util ] || [ -x "$SHARE/kselftest/zswap_spm/$t" ] || {
		grep -E 'error|Error' "$BUILD/kselftest-build.log" | head -n 20 >&2
		die "kselftest zswap_spm:$t was not built (log: $BUILD/kselftest-build.log)"
	}
done
for t in $MM_TESTS; do
	[ -x "$SHARE/kselftest/mm/$t" ] || {
		grep -E 'error|Error' "$BUILD/kselftest-build.log" | head -n 20 >&2
		die "kselftest mm:$t was not built (log: $BUILD/kselftest-build.log)"
	}
done
info "kselftests installed in $SHARE/kselftest"
