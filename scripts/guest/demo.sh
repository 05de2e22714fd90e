#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# 'make run': show the VM's memory layout and zswap at work, in plain words.
set -u
hr() { printf '\n=== %s ===\n' "$*"; }
counters() {
	printf '  %-22s %s\n' "swap out (pswpout)" "$(awk '$1 == "pswpout" { print $2 }' /proc/vmstat)"
	printf '  %-22s %s\n' "swap in (pswpin)" "$(awk '$1 == "pswpin" { print $2 }' /proc/vmstat)"
	printf '  %-22s %s\n' "zswap stores (zswpout)" "$(awk '$1 == "zswpout" { print $2 }' /proc/vmstat)"
	printf '  %-22s %s\n' "zswap loads (zswpin)" "$(awk '$1 == "zswpin" { print $2 }' /proc/vmstat)"
	printf '  %-22s %s\n' "zswap pages now" "$(cat /sys/kernel/debug/zswap/stored_pages)"
	printf '  %-22s %s bytes\n' "zswap pool size" "$(cat /sys/kernel/debug/zswap/pool_total_size)"
	[ -e /sys/kernel/debug/zswap/spm_stored_pages ] || return 0
	printf '  %-22s %s\n' "device stores (zswpout_spm)" "$(awk '$1 == "zswpout_spm" { print $2 }' /proc/vmstat)"
	printf '  %-22s %s\n' "device loads (zswpin_spm)" "$(awk '$1 == "zswpin_spm" { print $2 }' /proc/vmstat)"
	printf '  %-22s %s\n' "device refused (full)" "$(awk '$1 == "zswpspm_refuse_full" { print $2 }' /proc/vmstat)"
	printf '  %-22s %s\n' "zswap pages on device" "$(cat /sys/kernel/debug/zswap/spm_stored_pages)"
	for c in /sys/bus/dax/devices/dax*/compressed; do
		[ -d "$c" ] || continue
		d=${c%/compressed}
		printf '  %-22s stored_pages %s, physical_used_bytes %s, compression_ratio %s\n' \
			"device ${d##*/}" "$(cat "$c/stored_pages")" \
			"$(cat "$c/physical_used_bytes")" "$(cat "$c/compression_ratio")"
	done
}

hr "NUMA topology: node 0 is DRAM with the CPUs, the CPU-less node is the CXL device"
numactl --hardware
hr "CXL region"
cxl list -R -u 2>/dev/null | grep -E '"(region|size|type|decode_state)"'
for n in /sys/devices/system/node/node*; do
	printf '  %s: %s kB, cpus [%s]\n' "${n##*/}" \
		"$(awk '/MemTotal/ { print $4 }' "$n/meminfo")" "$(cat "$n/cpulist")"
done
hr "Specific Purpose Memory nodes: only their owner allocates from them"
printf '  has_memory (general-purpose nodes): %s\n' "$(cat /sys/devices/system/node/has_memory)"
printf '  has_spm_memory (SPM nodes):         %s\n' "$(cat /sys/devices/system/node/has_spm_memory 2>/dev/null || echo 'none (no SPM support)')"
for c in /sys/bus/dax/devices/dax*/compressed; do
	[ -d "$c" ] || continue
	d=${c%/compressed}
	hr "compressed CXL device ${d##*/} (cxl_compressed; the emulated LZ4 device)"
	for a in model logical_bytes physical_bytes physical_used_bytes stored_pages \
		compression_ratio watermark_low watermark_high watermark_critical \
		pressure telemetry scrub admissions admissions_refused alarms; do
		printf '  %-22s %s\n' "$a" "$(cat "$c/$a")"
	done
	dbg=/sys/kernel/debug/cxl_compressed/${d##*/}
	if [ -w "$dbg/test_store" ]; then
		echo "  storing the GPL text 64 times over (~1.1 MiB) through the debugfs test consumer:"
		for _ in $(seq 64); do cat /usr/share/common-licenses/GPL-2; done |
			head -c 4194304 >"$dbg/test_store"
		echo 1 >"$dbg/settle"
		printf '  %-22s %s\n' stored_pages "$(cat "$c/stored_pages")" \
			physical_used_bytes "$(cat "$c/physical_used_bytes")" \
			compression_ratio "$(cat "$c/compression_ratio")"
		echo 0 >"$dbg/test_release"
		echo 1 >"$dbg/settle"
		echo "  freed and scrubbed: physical_used_bytes $(cat "$c/physical_used_bytes")"
	fi
done
hr "zswap settings"
z=/sys/module/zswap/parameters
if [ -w $z/spm_enabled ] && ls -d /sys/bus/dax/devices/dax*/compressed >/dev/null 2>&1; then
	echo "  turning on zswap's compressed-memory backend: echo Y >$z/spm_enabled"
	echo "  (pages are copied to the CXL device, which compresses them; the CPU does not)"
	echo Y >$z/spm_enabled
fi
for p in /sys/module/zswap/parameters/*; do printf '  %-28s %s\n' "${p##*/}" "$(cat "$p")"; done
hr "swap"
cat /proc/swaps

hr "workload: 192 MiB of memory in a cgroup limited to 64 MiB"
mkdir /sys/fs/cgroup/demo
echo 64M >/sys/fs/cgroup/demo/memory.max
echo "before:"
counters
(
	echo $BASHPID >/sys/fs/cgroup/demo/cgroup.procs
	# Write 192 MiB three times over: most of it must go out and come back.
	exec memhog -r3 192m
) 2>&1 | tail -n 3 | sed 's/^/  /'
rc=${PIPESTATUS[0]}
echo "after:"
counters
echo "cgroup memory.stat:"
grep -E '^(anon|zswap|zswapped|zswapped_spm|zswpout|zswpin|zswpout_spm|zswpin_spm|pswpout|pswpin) ' /sys/fs/cgroup/demo/memory.stat | sed 's/^/  /'
rmdir /sys/fs/cgroup/demo 2>/dev/null
[ "$rc" = 0 ] && echo "demo: workload finished, rc=0" || echo "demo: workload failed, rc=$rc"

if [ -x /share/mapdemo ] && [ "$(cat $z/spm_enabled 2>/dev/null)" = Y ] &&
   [ "$(cat $z/spm_map 2>/dev/null)" = Y ]; then
	hr "zero-copy reads (zswap.spm_map=Y): read faults map device pages, writes move them"
	/share/mapdemo || rc=$?
	[ "$rc" = 0 ] && echo "demo: zero-copy reads shown, rc=0" || echo "demo: failed, rc=$rc"
fi
exit "$rc"
