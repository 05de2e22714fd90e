#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest init (PID 1, started by /sbin/zswap-spm-init from the 9p share):
# mount what user space needs, online the CXL memory, enable swap, run the
# requested command and report its exit status on the console.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=${TERM:-linux}

. /share/vm.env

say() { echo "zswap-spm: $*"; }
# -no-reboot makes QEMU exit on reboot; sysrq-b needs no power-off driver.
poweroff_now() { sync; echo b >/proc/sysrq-trigger; sleep 10; }
setup_fail() { say "setup failed: $*"; echo "ZSWAP_SPM_EXIT=99"; poweroff_now; }

mount -t sysfs sysfs /sys
mountpoint -q /dev || mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
# What udev would provide: the kselftest runner writes to /dev/stdout.
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
for d in /tmp /run /var/tmp /var/log /root /mnt /home; do
	mount -t tmpfs -o mode=0755 tmpfs "$d"
done
chmod 1777 /tmp /var/tmp
mount -t debugfs debugfs /sys/kernel/debug
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mount -t cgroup2 cgroup2 /sys/fs/cgroup
echo "+memory +cpuset" >/sys/fs/cgroup/cgroup.subtree_control
hostname zswap-spm
echo 1 >/proc/sys/kernel/sysrq

# The CXL type-3 device: one RAM region, hot-added as node 1: by
# cxl_compressed as a compressed SPM node (the default), by dax/kmem as an
# SPM node, or by dax/kmem as ordinary system RAM.
CXL=/sys/bus/cxl/devices
for _ in $(seq 50); do
	[ -e $CXL/mem0 ] && [ -e $CXL/decoder0.0 ] && break
	sleep 0.1
done
[ -e $CXL/mem0 ] || setup_fail "no CXL memory device (mem0)"

# Assemble the region through sysfs so that spm_node is set before the region
# is enabled: its memory then goes straight to an SPM node.
cxl_region_spm() {
	local rd=$CXL/decoder0.0 ed r region size
	ed=$(basename "$(ls -d $CXL/endpoint*/decoder*.0 | head -n1)")
	[ -n "$ed" ] || return 1
	size=$(cat "$CXL/mem0/ram/size") || return 1
	region=$(cat $rd/create_ram_region) &&
	echo "$region" >$rd/create_ram_region || return 1
	r=$CXL/$region
	echo 1 >"$r/interleave_ways" &&
	cat $rd/interleave_granularity >"$r/interleave_granularity" &&
	echo ram >"$CXL/$ed/mode" &&
	echo "$size" >"$CXL/$ed/dpa_size" &&
	echo "$size" >"$r/size" &&
	echo "$ed" >"$r/target0" &&
	echo 1 >"$r/commit" &&
	echo 1 >"$r/spm_node" &&
	echo "$region" >/sys/bus/cxl/drivers/cxl_region/bind
}

# Hand the region's dax device from kmem to cxl_compressed, which binds only
# by name (no CXL capability says a device compresses).
cxl_compressed_bind() {
	local dax=
	for _ in $(seq 50); do
		dax=$(ls -d /sys/bus/dax/devices/dax*.0/driver 2>/dev/null | head -n1)
		[ -n "$dax" ] && break
		sleep 0.1
	done
	[ -n "$dax" ] || { echo "no dax device bound to kmem"; return 1; }
	dax=$(basename "$(dirname "$dax")")
	echo unplugged >"/sys/bus/dax/devices/$dax/state" &&
	echo "$dax" >/sys/bus/dax/drivers/kmem/unbind &&
	echo "$dax" >/sys/bus/dax/drivers/cxl_compressed/new_id &&
	[ -e "/sys/bus/dax/devices/$dax/compressed" ]
}

case "${ZSWAP_SPM_CXL_MODE:-compressed}" in
compressed)
	cxl_region_spm 2>/tmp/cxl-region.err ||
		setup_fail "creating the SPM region: $(cat /tmp/cxl-region.err)"
	cxl_compressed_bind 2>/tmp/cxl-region.err ||
		setup_fail "binding cxl_compressed: $(cat /tmp/cxl-region.err)" ;;
spm)
	cxl_region_spm 2>/tmp/cxl-region.err ||
		setup_fail "creating the SPM region: $(cat /tmp/cxl-region.err)" ;;
sysram)
	cxl create-region -m -d decoder0.0 -t ram -w 1 mem0 >/tmp/cxl-region.json 2>/tmp/cxl-region.err ||
		setup_fail "cxl create-region: $(cat /tmp/cxl-region.err)" ;;
*)
	setup_fail "unknown CXL mode '$ZSWAP_SPM_CXL_MODE'" ;;
esac
for _ in $(seq 100); do
	grep -qs 'MemTotal: *[1-9]' /sys/devices/system/node/node1/meminfo && break
	sleep 0.1
done
grep -qs 'MemTotal: *[1-9]' /sys/devices/system/node/node1/meminfo ||
	setup_fail "CXL region created but node 1 has no memory"

# virtio-blk says rotational; the swap disk stands for a server's SSD, so
# swap-in reads ahead by virtual address (VMA readahead), as it would there.
echo 0 >/sys/block/vda/queue/rotational || setup_fail "vda: rotational"
mkswap -q /dev/vda >/dev/null || setup_fail "mkswap /dev/vda"
swapon /dev/vda || setup_fail "swapon /dev/vda"

say "ready after $(cut -d' ' -f1 /proc/uptime) s"
if [ "$(cat /share/shell)" = 1 ]; then
	say "shell: the project share is /share; 'exit' powers off"
	setsid -c /bin/bash -l </dev/ttyS0 >/dev/ttyS0 2>&1
	rc=$?
else
	cd /share || setup_fail "no /share"
	/bin/bash -c "$(cat /share/cmd)"
	rc=$?
fi
echo "ZSWAP_SPM_EXIT=$rc"
poweroff_now
