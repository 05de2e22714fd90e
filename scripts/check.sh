#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# 'make check': set up, build, boot once, run every suite, summarise.
# usage: scripts/check.sh [collection | collection:test ...]
. "$(dirname "$0")/lib.sh"

SEL=("$@")
if [ $# = 0 ]; then
	SEL=(zswap_spm cgroup:test_zswap cgroup:test_zswap@spm)
	for t in $MM_TESTS; do SEL+=("mm:$t@spm"); done
fi

"$TOP"/scripts/prepare.sh
R=$BUILD/share/results
rm -rf "$R"
set +e
"$TOP"/scripts/vm.sh --timeout "${CHECK_TIMEOUT:-2400}" "${VMOPTS_ARGS[@]}" --log "$BUILD/check-console.log" \
	-- /share/check.sh "${SEL[@]}"
vrc=$?
set -e

log "results"
# KUnit suites built into the kernel print KTAP on the console at boot.
mkdir -p "$R"
sed -n 's/^\[ *[0-9]*\.[0-9]*\] //p' "$BUILD/check-console.log" | tr -d '\r' |
	grep -E '^ *(KTAP version|# Subtest:|[0-9]+\.\.[0-9]+$|(not )?ok [0-9]+ )' >"$R/kunit.tap" || true
suites=(kunit="$R/kunit.tap")
if [ $# -gt 0 ]; then
	suites=()
	for s in "$@"; do suites+=("$s=$R/kselftest-${s//[:\/]/_}.tap"); done
else
	for s in "${SEL[@]}"; do suites+=("$s=$R/kselftest-${s//[:\/]/_}.tap"); done
	# cxl_compressed owns its node, and only the owner allocates there:
	# the SPM node cases that allocate run on a plain SPM node (kmem), in
	# a second boot, where the test interface owns the node.
	case " ${VMOPTS:-} " in
	*"--cxl-mode "*) ;;
	*)
		log "second boot: spm_node on a plain SPM node (CXL_MODE=spm)"
		rm -rf "$R.main"
		mv "$R" "$R.main"
		set +e
		"$TOP"/scripts/vm.sh --timeout "${CHECK_TIMEOUT:-2400}" "${VMOPTS_ARGS[@]}" --cxl-mode spm \
			--log "$BUILD/check-console-spm.log" -- /share/check.sh zswap_spm:spm_node
		vrc2=$?
		set -e
		[ "$vrc2" = 0 ] || vrc=$vrc2
		mv "$R/kselftest-zswap_spm_spm_node.tap" "$R.main/kselftest-zswap_spm_spm_node@plain.tap" 2>/dev/null || true
		rm -rf "$R"
		mv "$R.main" "$R"
		suites+=(zswap_spm:spm_node@plain="$R/kselftest-zswap_spm_spm_node@plain.tap")
		;;
	esac
fi
set +e
python3 "$TOP"/scripts/tap-summary.py "${suites[@]}" | tee "$BUILD/check-summary.txt"
trc=${PIPESTATUS[0]}
set -e
for f in "$R"/*.first-try.tap; do
	[ -e "$f" ] || continue
	echo "note: $(basename "$f" .first-try.tap | sed 's/^kselftest-//') failed on its first try and was run again:" \
		"$(grep -E '^(# )?not ok' "$f" | sed -E 's/^(# )?not ok [0-9]* //' | tr '\n' ' ')" | tee -a "$BUILD/check-summary.txt"
done
if [ "$vrc" != 0 ]; then
	echo "vm: run failed (status $vrc; console: $BUILD/check-console.log)" >&2
	exit 1
fi
exit "$trc"
