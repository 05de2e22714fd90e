#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# bench/guest/pathprof.c in both device modes (copy: spm_map=N; map:
# spm_map=Y), three function lists each, 8 MiB of text in a 256 MiB cgroup.
# Build and run it from the host, after make bench has built the benchmark
# kernel:
#   mkdir -p build/share/prof && cp bench/guest/pathprof.sh build/share/prof/ &&
#   gcc -O2 -static -o build/share/prof/pathprof bench/guest/pathprof.c &&
#   KERNEL=build/obj-bench/arch/x86/boot/bzImage scripts/vm.sh \
#     --append "cxl_compressed.model=fixed mce=recovery" -- /share/prof/pathprof.sh
set -u
z=/sys/module/zswap/parameters
CG=/sys/fs/cgroup/pathprof
mkdir -p $CG && echo 256M >$CG/memory.max || exit 1
echo 0 >/proc/sys/kernel/numa_balancing 2>/dev/null
echo lz4 >$z/compressor && echo N >$z/shrinker_enabled && echo Y >$z/enabled &&
	echo Y >$z/spm_enabled || exit 1
OUTER="zswap_store zswap_load do_swap_page do_wp_page"
STORE="zswap_store zswap_store_page zswap_spm_store ccm_folio_restore ccm_alloc_folio
	copy_mc_to_kernel ccm_folio_stored kmem_cache_alloc_node_noprof xa_store
	obj_cgroup_charge_zswap list_lru_add get_obj_cgroup_from_folio obj_cgroup_may_zswap
	zswap_check_limits zswap_pool_current_get memcg_list_lru_alloc zswap_spm_count_out
	obj_cgroup_charge"
LOAD="zswap_load list_lru_del zswap_spm_lend ccm_folio_lend zswap_spm_count_in
	zswap_spm_free ccm_free_folio obj_cgroup_uncharge_zswap kmem_cache_free
	zswap_spm_load swap_cache_read_folio do_swap_page do_wp_page zswap_spm_cow
	folio_mark_dirty"
for map in N Y; do
	echo $map >$z/spm_map
	for list in "$OUTER" "$STORE" "$LOAD"; do
		echo "### spm_map=$map"
		# shellcheck disable=SC2086
		( echo $BASHPID >$CG/cgroup.procs && exec /share/prof/pathprof 8 $list )
		sync
		echo 3 >/proc/sys/vm/drop_caches
	done
done
echo N >$z/spm_map
echo "" >/sys/kernel/tracing/set_ftrace_filter
rmdir $CG
