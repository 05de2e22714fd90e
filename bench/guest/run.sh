#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Benchmark runner inside the VM (started by scripts/bench.sh through
# scripts/vm.sh).  Reads /share/bench/config, runs every scenario in every
# mode REPS times, each in a memory-limited cgroup, and leaves one directory
# per run under /share/bench-out: meta (key=value), out (the tool's output),
# vmstat.before, vmstat.after.
set -u
. /share/bench/config
B=/share/bench
OUT=/share/bench-out
CG=/sys/fs/cgroup/bench
rm -rf "$OUT"
mkdir -p "$OUT"

say() { echo "bench: $*"; }

# Modes: how zswap (and later the SPM backend) is set for a run.
mode_setup() {
	local z=/sys/module/zswap/parameters
	swapoff -a && swapon /dev/vda || return 1
	case "$1" in
	# zswap's shrinker writes cold entries back to the disk when a
	# cgroup is at its limit (zswap memory counts in memory.max).
	swap)		echo N >$z/enabled ;;
	zswap-lz4)	echo lz4 >$z/compressor && echo Y >$z/shrinker_enabled &&
			echo Y >$z/enabled ;;
	zswap-zstd)	echo zstd >$z/compressor && echo Y >$z/shrinker_enabled &&
			echo Y >$z/enabled ;;
	# Pages go to the compressed CXL device (copy, no software
	# compression); lz4 in software when the device refuses.
	zswap-spm)	echo lz4 >$z/compressor && echo Y >$z/shrinker_enabled &&
			echo Y >$z/enabled && echo N >$z/spm_map &&
			echo Y >$z/spm_enabled ;;
	# The same, and read faults map device pages rather than copy them.
	zswap-spm-map)	echo lz4 >$z/compressor && echo Y >$z/shrinker_enabled &&
			echo Y >$z/enabled && echo Y >$z/spm_map &&
			echo Y >$z/spm_enabled ;;
	*)		say "unknown mode $1"; return 1 ;;
	esac
	# Only the zswap-spm modes store on the device.
	[[ "$1" = zswap-spm* ]] || [ ! -e $z/spm_enabled ] || echo N >$z/spm_enabled
	sync
	echo 3 >/proc/sys/vm/drop_caches
}

cg_new() {
	rmdir "$CG" 2>/dev/null
	mkdir "$CG" || return 1
	[ -n "${1:-}" ] && echo "$1" >"$CG/memory.max"
	[ -n "${2:-}" ] && echo "$2" >"$CG/memory.high"
	return 0
}

# Run "$@" in the bench cgroup; its output goes to $dir/out.
in_cg() {
	( echo $BASHPID >"$CG/cgroup.procs" && exec "$@" ) >"$dir/out" 2>"$dir/err"
}

run_page() {
	local content=$1
	cg_new "$((PAGE_MIB * 2 + 64))M" "" &&
	in_cg "$B/pagebench" "$PAGE_MIB" "$content" madvise
}

run_fio() {
	local rw=$1 extra=""
	[ "$rw" = randrw ] && extra="--rwmixread=70"
	# A file twice SIZE, a limit of 5/4 SIZE and 16 MiB for fio itself
	# (its shared memory pools), so that zswap's compressed copies of the
	# other 3/4 fit beside the resident part even while randrw dirties
	# pages faster than the shrinker writes them back; data about 2.5x
	# compressible, like the text.
	cg_new "$((FIO_FILE_MIB * 5 / 8 + 16))M" "" &&
	in_cg fio --name="$rw" --filename=/dev/shm/bench.fio --size="${FIO_FILE_MIB}M" \
		--rw="$rw" $extra --bs=4k --ioengine=psync --runtime="$RUNTIME" \
		--buffer_compress_percentage=60 --buffer_compress_chunk=4096 \
		--refill_buffers --time_based --group_reporting --output-format=json
	local rc=$?
	rm -f /dev/shm/bench.fio
	return $rc
}

run_stress() {
	cg_new "" "$((STRESS_MIB * 3 / 4))M" &&
	in_cg stress-ng --vm 2 --vm-bytes "$((STRESS_MIB / 2))M" --verify \
		--timeout "${RUNTIME}s" --metrics-brief --yaml "$dir/stress.yaml"
}

run_usemem() {
	cg_new "$((USEMEM_MIB * 3 / 4))M" "" &&
	in_cg "$B/usemem" 4 "$((USEMEM_MIB / 4))" 2
}

# The runs: scenario[:variant] per line.
runs=()
for s in $SCENARIOS; do
	case "$s" in
	page)	for c in $PAGE_CONTENTS; do runs+=("page:$c"); done ;;
	fio)	runs+=("fio:randread" "fio:randrw") ;;
	stress)	runs+=("stress:vm") ;;
	usemem)	runs+=("usemem:4x") ;;
	esac
done
total=$(( ${#runs[@]} * $(echo $MODES | wc -w) * REPS ))
i=0
t0=$(date +%s)
fail=0
for rep in $(seq "$REPS"); do
	for mode in $MODES; do
		mode_setup "$mode" || { say "cannot set mode $mode"; exit 1; }
		for r in "${runs[@]}"; do
			i=$((i + 1))
			scen=${r%%:*} var=${r#*:}
			el=$(( $(date +%s) - t0 ))
			left=$(( i > 1 ? el * (total - i + 1) / (i - 1) : 0 ))
			say "[$i/$total] $scen $var, mode $mode, repetition $rep/$REPS;" \
				"$((el / 60))m$((el % 60))s elapsed, about $((left / 60))m$((left % 60))s left"
			dir=$OUT/$(printf '%03d' $i)-$scen-$var-$mode-$rep
			mkdir -p "$dir"
			printf 'scenario=%s\nvariant=%s\nmode=%s\nrep=%s\n' \
				"$scen" "$var" "$mode" "$rep" >"$dir/meta"
			cat /proc/vmstat >"$dir/vmstat.before"
			start=$(date +%s%N)
			case "$scen" in
			page)	run_page "$var" ;;
			fio)	run_fio "$var" ;;
			stress)	run_stress ;;
			usemem)	run_usemem ;;
			esac
			rc=$?
			echo "rc=$rc" >>"$dir/meta"
			echo "wall_ns=$(( $(date +%s%N) - start ))" >>"$dir/meta"
			cat /proc/vmstat >"$dir/vmstat.after"
			[ "$rc" = 0 ] || { say "FAILED (rc=$rc): $(tail -n 3 "$dir/err")"; fail=1; }
			rmdir "$CG" 2>/dev/null
		done
	done
done
# With the backend and both software baselines in the run, profile where
# the store and load paths spend their time (one run per function).
if [[ " $MODES " = *" zswap-spm "* && " $MODES " = *" zswap-lz4 "* &&
      " $MODES " = *" zswap-zstd "* ]]; then
	say "profiling the store and load paths (store-profile.sh)"
	mode_setup zswap-lz4 && "$B/store-profile.sh" 8 >"$OUT/store-profile.txt" 2>&1 ||
		say "store-profile.sh failed"
fi
el=$(( $(date +%s) - t0 ))
say "done: $total runs in $((el / 60))m$((el % 60))s"
exit $fail
