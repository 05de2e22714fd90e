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

# Run mm/$1 (a kselftest program that prints TAP); a crash or a timeout
# shows as a failure, a program that skips as a whole ("1..0 # SKIP why")
# as one skipped case.  It runs as ./$1 in a tmpfs: some make files in
# their working directory and map them shared, which the 9p share cannot,
# and some run ./$1 again.
# uffd-unit-tests runs its wp-fork cases only (write-protection across
# fork, on every memory type): all of its cases take almost 5 minutes
# under TCG (zswap_spm's own map_more_writers_move_page resolves
# write-protection on device pages).
run_mm() {
	local rc out args=()
	case $1 in
	uffd-unit-tests) args=(-f wp-fork) ;;
	esac
	mkdir -p /run/mm-test
	mountpoint -q /run/mm-test || mount -t tmpfs mm-test /run/mm-test
	cp /share/kselftest/mm/"$1" /run/mm-test/ || return 1
	out=$(cd /run/mm-test && timeout 600 ./"$1" "${args[@]}" 2>&1)
	rc=$?
	echo "$out"
	case $rc in
	0|4) grep -qE '^(not )?ok ' <<<"$out" ||
		echo "ok 1 $1 # SKIP$(grep -o ' # SKIP.*' <<<"$out" | head -n 1 | sed 's/^ # SKIP//')" ;;
	*) echo "not ok 999 $1 exited with status $rc" ;;
	esac
}
# Tests that must run: ours, and upstream's zswap cgroup test, as upstream
# runs it and again with zswap's compressed-memory backend on (a selector
# ending in @spm sets zswap.spm_enabled=Y for its run; zswap.spm_map is Y by
# default), and the upstream mm programs of the paths that mapping device
# pages changes, with zswap and the backend on (see MM_TESTS in
# scripts/check.sh, which passes them).
Z=/sys/module/zswap/parameters
SPM_PARAM=$Z/spm_enabled
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
	case "$t" in
	mm:*)
		# An upstream mm program, run as it is: the collection lists
		# only its wrappers.  zswap on, so that what the program swaps
		# out goes to the device and read faults map it back.
		was=$(cat $Z/enabled)
		echo Y >$Z/enabled
		t0=$(date +%s)
		run_mm "${t#mm:}" | tee "$R/kselftest-$name.tap"
		echo "kselftest: $s took $(($(date +%s) - t0)) s"
		if grep -q '^not ok' "$R/kselftest-$name.tap"; then
			mv "$R/kselftest-$name.tap" "$R/kselftest-$name.first-try.tap"
			echo "kselftest: $s failed; trying once more"
			run_mm "${t#mm:}" | tee "$R/kselftest-$name.tap"
		fi
		echo "$was" >$Z/enabled
		continue ;;
	esac
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
