#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs in the guest for 'make check': run the kselftests (the KUnit suites
# ran at boot; the host reads their KTAP from the console).  Results land in /share/results as TAP files that
# the host summarises.  Arguments select kselftests (collection:test, or a
# whole collection); by default everything runs.
R=/share/results
rm -rf "$R"
mkdir -p "$R"

cd /share/kselftest || exit 1
# Tests that must run: ours, and upstream's zswap cgroup test, as upstream
# runs it and again with zswap's compressed-memory backend on (a selector
# ending in @spm sets zswap.spm_enabled=Y for its run).
SPM_PARAM=/sys/module/zswap/parameters/spm_enabled
SEL=("$@")
[ ${#SEL[@]} -gt 0 ] || SEL=(zswap_spm cgroup:test_zswap cgroup:test_zswap@spm)
for s in "${SEL[@]}"; do
	spm=N
	case "$s" in
	*@spm) spm=Y ;;
	esac
	t=${s%@spm}
	case "$t" in
	*:*) opt=(-t "$t") ;;
	*) opt=(-c "$t") ;;
	esac
	name=${s//[:\/]/_}
	if [ "$spm" = Y ] && [ ! -w "$SPM_PARAM" ]; then
		printf 'TAP version 13\n1..1\nnot ok 1 %s # no %s (CONFIG_ZSWAP_SPM)\n' \
			"$s" "$SPM_PARAM" >"$R/kselftest-$name.tap"
		continue
	fi
	[ ! -w "$SPM_PARAM" ] || echo "$spm" >"$SPM_PARAM"
	echo "kselftest: $s"
	# TCG with a debug kernel is slow: give each program ten minutes.
	./run_kselftest.sh --override-timeout 600 "${opt[@]}" 2>&1 | tee "$R/kselftest-$name.tap"
	# Upstream's timing-sensitive tests get one more try under emulation;
	# the first attempt is kept and the summary names the retry.  Ours
	# get none.
	case "$s" in
	zswap_spm*) ;;
	*)
		if grep -q '^not ok' "$R/kselftest-$name.tap"; then
			mv "$R/kselftest-$name.tap" "$R/kselftest-$name.first-try.tap"
			echo "kselftest: $s failed; trying once more"
			./run_kselftest.sh --override-timeout 600 "${opt[@]}" 2>&1 |
				tee "$R/kselftest-$name.tap"
		fi ;;
	esac
done
[ ! -w "$SPM_PARAM" ] || echo N >"$SPM_PARAM"
exit 0
