#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Where the store and load paths spend their time, per call, by the kernel's
# function profiler (CONFIG_FUNCTION_PROFILER): zswap_store() and the parts
# that differ between the compressed-memory backend (zswap-spm) and software
# compression (zswap-lz4, zswap-zstd), one function per pagebench run.
# In the VM (make shell, after make bench has built /share/bench):
#   /share/bench/store-profile.sh [MiB]
set -u
MIB=${1:-8}
z=/sys/module/zswap/parameters
T=/sys/kernel/tracing
CG=/sys/fs/cgroup/store-profile
mkdir -p $CG && echo 256M >$CG/memory.max || exit 1
echo 0 >$T/options/sleep-time
echo 1 >$T/options/graph-time
export PAGEBENCH_NOPROF=1

prof() {
	echo 0 >$T/function_profile_enabled
	echo "$1" >$T/set_ftrace_filter || return
	echo 1 >$T/function_profile_enabled
	( echo $BASHPID >$CG/cgroup.procs && exec /share/bench/pagebench "$MIB" text madvise ) >/dev/null
	echo 0 >$T/function_profile_enabled
	cat $T/trace_stat/function* | awk -v f="$1" '$1 == f { h += $2; t += $3 }
		END { if (h) printf "  %-28s %8d calls %9.2f us/call\n", f, h, t / h }'
}

echo Y >$z/enabled
for mode in zswap-spm zswap-lz4 zswap-zstd; do
	echo "$mode:"
	case $mode in
	zswap-spm)
		echo lz4 >$z/compressor && echo Y >$z/spm_enabled
		fns="zswap_store zswap_spm_store ccm_alloc_folio spm_folio_alloc copy_mc_to_kernel ccm_folio_stored obj_cgroup_charge_zswap zswap_load zswap_spm_load" ;;
	*)
		echo "${mode#zswap-}" >$z/compressor && echo N >$z/spm_enabled
		fns="zswap_store crypto_acomp_compress zs_malloc zs_obj_write obj_cgroup_charge_zswap zswap_load zswap_decompress" ;;
	esac
	for f in $fns; do prof "$f"; done
done
echo N >$z/spm_enabled
echo "" >$T/set_ftrace_filter
rmdir $CG
