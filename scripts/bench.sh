#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# 'make bench': run the benchmark suite (bench/) in the VM and report.
#
# Variables (make variables or environment):
#   SCENARIOS  page fio stress usemem (default: all)
#   MODES      swap zswap-lz4 zswap-zstd zswap-spm zswap-spm-map (default: all)
#   REPS       repetitions of each run (default 3; QUICK: 1)
#   SIZE       MiB the workloads swap through (default 96; QUICK: 32)
#   RUNTIME    seconds of each fio and stress-ng run (default 15; QUICK: 5)
#   CONTENTS   page contents: random text zero mixed (default: all)
#   QUICK=1    the quick profile (under 10 minutes)
#   BENCH_KERNEL  test (default: the test kernel) or fast (without its debug
#              options; built in build/obj-bench)
# Results: build/bench/<time>/ (results.json, results.md, *.png); a full run
# with every scenario and mode also updates bench/RESULTS.md and bench/plots/.
. "$(dirname "$0")/lib.sh"

ALL_SCENARIOS="page fio stress usemem"
ALL_MODES="swap zswap-lz4 zswap-zstd zswap-spm zswap-spm-map"
ALL_CONTENTS="random text zero mixed"
QUICK=${QUICK:-0}
# The command line that reproduces this run: the variables given.
CMD="make bench"
for v in QUICK SCENARIOS MODES CONTENTS REPS SIZE RUNTIME MEM CXL SWAP CXL_MODE APPEND BENCH_KERNEL; do
	[ -n "${!v:-}" ] && [ "${!v}" != 0 -o "$v" != QUICK ] && CMD="$CMD $v=\"${!v}\""
done
if [ "$QUICK" = 1 ]; then
	D_REPS=1 D_SIZE=32 D_RUNTIME=5
else
	D_REPS=3 D_SIZE=96 D_RUNTIME=15
fi
SCENARIOS=${SCENARIOS:-$ALL_SCENARIOS}
MODES=${MODES:-$ALL_MODES}
CONTENTS=${CONTENTS:-$ALL_CONTENTS}
REPS=${REPS:-$D_REPS}
SIZE=${SIZE:-$D_SIZE}
RUNTIME=${RUNTIME:-$D_RUNTIME}
VM_MEM=${MEM:-2048}
VM_SWAP=${SWAP:-4096}

# Everything is checked before anything is built or booted.
bad() { die "make bench: $*"; }
for s in $SCENARIOS; do
	[[ " $ALL_SCENARIOS " = *" $s "* ]] || bad "unknown scenario '$s'; valid: $ALL_SCENARIOS"
done
for c in $CONTENTS; do
	[[ " $ALL_CONTENTS " = *" $c "* ]] || bad "unknown content '$c'; valid: $ALL_CONTENTS"
done
for m in $MODES; do
	case "$m" in
	swap|zswap-lz4) ;;
	zswap-zstd)
		grep -qs '^CONFIG_CRYPTO_ZSTD=y' "$TOP"/config/*.config ||
			bad "mode zswap-zstd needs CONFIG_CRYPTO_ZSTD=y in config/, which is missing" ;;
	zswap-spm|zswap-spm-map)
		grep -qs '^CONFIG_ZSWAP_SPM=y' "$TOP"/config/*.config ||
			bad "mode $m needs CONFIG_ZSWAP_SPM=y in config/, which is missing"
		[ "${CXL_MODE:-compressed}" = compressed ] ||
			bad "mode $m needs CXL_MODE=compressed (the device), got '$CXL_MODE'" ;;
	*)	bad "unknown mode '$m'; valid: $ALL_MODES" ;;
	esac
done
case "${BENCH_KERNEL:-test}" in
test|fast) ;;
*)	bad "BENCH_KERNEL=$BENCH_KERNEL: test (the test kernel, default) or fast (no debug options)" ;;
esac
for v in REPS SIZE RUNTIME VM_MEM VM_SWAP; do
	[[ ${!v} =~ ^[0-9]+$ ]] && [ "${!v}" -gt 0 ] || bad "$v must be a positive integer, got '${!v}'"
done
[ "$SIZE" -ge 16 ] || bad "SIZE=$SIZE: at least 16 MiB"
# The page benchmark holds SIZE and its cgroup may grow to 2*SIZE+64; the
# guest itself needs about 512 MiB.
[ $((SIZE * 2 + 64 + 512)) -le "$VM_MEM" ] ||
	bad "SIZE=$SIZE MiB does not fit a VM of MEM=$VM_MEM MiB (need 2*SIZE+576 <= MEM: SIZE <= $(((VM_MEM - 576) / 2)))"
[ $((SIZE * 3)) -le "$VM_SWAP" ] ||
	bad "SIZE=$SIZE MiB does not fit SWAP=$VM_SWAP MiB of swap (need 3*SIZE <= SWAP)"

"$TOP"/scripts/prepare.sh bench
# BENCH_KERNEL=fast: boot a kernel without the test kernel's debug options.
case "${BENCH_KERNEL:-test}" in
test) ;;
fast)	"$TOP"/scripts/build-bench-kernel.sh
	export KERNEL=$BUILD/obj-bench/arch/x86/boot/bzImage ;;
*)	bad "BENCH_KERNEL=$BENCH_KERNEL: test (the test kernel, default) or fast (no debug options)" ;;
esac
for c in gnuplot python3 gcc; do command -v $c >/dev/null || die "$c is missing (scripts/setup-host.sh installs it)"; done

log "building the benchmark programs"
BS=$BUILD/share/bench
rm -rf "$BS" "$BUILD/share/bench-out"
mkdir -p "$BS"
for p in pagebench usemem; do
	gcc -Wall -O2 -o "$BS/$p" "$TOP/bench/$p.c" || die "building bench/$p.c failed"
done
install -m 0755 "$TOP/bench/guest/run.sh" "$BS/run.sh"
install -m 0755 "$TOP/bench/guest/store-profile.sh" "$BS/store-profile.sh"
cat >"$BS/config" <<CONF
SCENARIOS="$SCENARIOS"
MODES="$MODES"
PAGE_CONTENTS="$CONTENTS"
REPS=$REPS
PAGE_MIB=$SIZE
FIO_FILE_MIB=$((SIZE * 2))
STRESS_MIB=$SIZE
USEMEM_MIB=$SIZE
RUNTIME=$RUNTIME
CONF

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RES=$BUILD/bench/$STAMP
mkdir -p "$RES"
log "running: $CMD (results in $RES)"
set +e
"$TOP"/scripts/vm.sh --timeout "${BENCH_TIMEOUT:-10800}" "${VMOPTS_ARGS[@]}" --log "$RES/console.log" \
	-- /share/bench/run.sh
vrc=$?
set -e
[ -d "$BUILD/share/bench-out" ] ||
	die "the benchmark run failed before any result (status $vrc; console: $RES/console.log)"

full=0
[ "$QUICK" != 1 ] && [ "$SCENARIOS" = "$ALL_SCENARIOS" ] && [ "$MODES" = "$ALL_MODES" ] &&
	[ "$CONTENTS" = "$ALL_CONTENTS" ] && full=1
set +e
python3 "$TOP"/bench/report.py --out "$RES" --raw "$BUILD/share/bench-out" \
	--command "$CMD" --console "$RES/console.log"
prc=$?
set -e
if [ "$vrc" != 0 ] || [ "$prc" != 0 ]; then
	die "some runs failed (see 'Problems' in $RES/results.md; console: $RES/console.log); bench/RESULTS.md left as it was"
fi
if [ "$full" = 1 ]; then
	mkdir -p "$TOP/bench/plots"
	cp "$RES"/*.png "$TOP/bench/plots/"
	cp "$RES/results.json" "$TOP/bench/results.json"
	python3 "$TOP"/bench/report.py --out "$RES" --raw "$BUILD/share/bench-out" \
		--command "$CMD" --console "$RES/console.log" --results-md "$TOP/bench/RESULTS.md"
	info "bench/RESULTS.md, bench/results.json and bench/plots/ updated"
fi
info "results: $RES/results.md"
