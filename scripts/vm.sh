#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot the test kernel in QEMU (TCG) with a DRAM node, a volatile CXL type-3
# device and a swap disk; run one command in the guest and return its status.
#
# usage: scripts/vm.sh [options] [--] [command...]
#   --mem MiB        DRAM of node 0 (default 2048)
#   --cxl MiB        CXL type-3 device capacity (default 1024)
#   --swap MiB       swap disk size (default 4096)
#   --append ARGS    extra kernel command line
#   --cxl-mode M     online the CXL region through the compressed-memory
#                    driver ("compressed", default), as a plain "spm" node,
#                    or as ordinary "sysram"
#   --timeout SEC    kill a guest that runs longer (default 1200)
#   --shell          interactive shell on the console instead of a command
#   --log FILE       console log (default build/console.log)
# With no command and no --shell, the guest runs "true".
. "$(dirname "$0")/lib.sh"

MEM=2048 CXL=1024 SWAP=4096 APPEND="" TIMEOUT=1200 SHELL_MODE=0 CXL_MODE=compressed
LOG=$BUILD/console.log
while [ $# -gt 0 ]; do
	case "$1" in
	--mem) MEM=$2; shift 2 ;;
	--cxl) CXL=$2; shift 2 ;;
	--cxl-mode) CXL_MODE=$2; shift 2 ;;
	--swap) SWAP=$2; shift 2 ;;
	--append) APPEND="$APPEND $2"; shift 2 ;;
	--timeout) TIMEOUT=$2; shift 2 ;;
	--shell) SHELL_MODE=1; shift ;;
	--log) LOG=$2; shift 2 ;;
	--) shift; break ;;
	-*) die "unknown option $1 (see the usage at the top of $0)" ;;
	*) break ;;
	esac
done
for v in MEM CXL SWAP TIMEOUT; do
	[[ ${!v} =~ ^[0-9]+$ ]] && [ "${!v}" -gt 0 ] || die "--${v,,} needs a positive integer, got '${!v}'"
done
case "$CXL_MODE" in compressed|spm|sysram) ;; *) die "--cxl-mode must be compressed, spm or sysram, got '$CXL_MODE'" ;; esac
[ "$MEM" -ge 512 ] || die "--mem must be at least 512 MiB"
[ $((CXL % 256)) = 0 ] || die "--cxl must be a multiple of 256 MiB (CXL decoder granularity)"
CMD=${*:-true}

ROOTFS=$("$TOP"/scripts/mkrootfs.sh) || die "no guest root file system"
KERNEL=${KERNEL:-$BUILD/obj/arch/x86/boot/bzImage}
[ -f "$KERNEL" ] || die "no kernel at $KERNEL; run 'make kernel' first"

# QEMU 11.1 from the root file system, run with that system's libraries.
QLIB=$ROOTFS/lib/x86_64-linux-gnu:$ROOTFS/usr/lib/x86_64-linux-gnu
QEMU=("$ROOTFS/lib64/ld-linux-x86-64.so.2" --library-path "$QLIB" "$ROOTFS/usr/bin/qemu-system-x86_64")
qv=$("${QEMU[@]}" --version 2>/dev/null | sed -n 's/^QEMU emulator version \([0-9.]*\).*/\1/p')
[ -n "$qv" ] || die "QEMU from $ROOTFS does not run; remove that directory to rebuild it"
[ "$(printf '%s\n%s\n' "$QEMU_MIN" "$qv" | sort -V | head -n1)" = "$QEMU_MIN" ] ||
	die "QEMU $qv is older than $QEMU_MIN (CXL memory runs ~1000x slower before 11.1)"

# The share: our guest scripts, test binaries, the command, and results.
SHARE=$BUILD/share
mkdir -p "$SHARE/results"
install -m 0755 "$TOP"/scripts/guest/*.sh "$SHARE/"
echo "$qv" >"$SHARE/qemu-version"
printf '%s\n' "$CMD" >"$SHARE/cmd"
echo "$SHELL_MODE" >"$SHARE/shell"
echo "export ZSWAP_SPM_CXL_MIB=$CXL ZSWAP_SPM_MEM_MIB=$MEM ZSWAP_SPM_SWAP_MIB=$SWAP ZSWAP_SPM_CXL_MODE=$CXL_MODE" >"$SHARE/vm.env"
rm -f "$SHARE/exit"

# A fresh sparse swap image every boot: a corrupt one is never trusted.
SWAPIMG=$BUILD/swap.img
rm -f "$SWAPIMG"
truncate -s "${SWAP}M" "$SWAPIMG"

WINDOW=$(( (CXL + 1023) / 1024 * 4 ))
# Guest memory is allocated on the host before boot (prealloc): a guest
# page's first use then costs no host page fault, which would land in
# whichever benchmark run first touched it (device pages in particular).
ARGS=(-M q35,cxl=on -accel tcg -cpu max -smp 2 -m "${MEM}M"
	-L "$ROOTFS/usr/share/qemu" -L "$ROOTFS/usr/share/seabios"
	-no-reboot -nic none -kernel "$KERNEL"
	-append "console=ttyS0 root=root rootfstype=9p rootflags=trans=virtio,version=9p2000.L,msize=262144,cache=loose ro init=/sbin/zswap-spm-init panic=-1 oops=panic memhp_default_state=online_movable zswap.enabled=1 zswap.compressor=lz4 cxl_compressed.model=lz4 $APPEND"
	-fsdev local,id=r,path="$ROOTFS",security_model=none,readonly=on
	-device virtio-9p-pci,fsdev=r,mount_tag=root,bus=pcie.0
	-fsdev local,id=s,path="$SHARE",security_model=none
	-device virtio-9p-pci,fsdev=s,mount_tag=share,bus=pcie.0
	-drive if=none,id=sw,file="$SWAPIMG",format=raw,cache=unsafe
	-device virtio-blk-pci,drive=sw,bus=pcie.0
	-object memory-backend-ram,id=m0,size="${MEM}M",prealloc=on -numa node,nodeid=0,cpus=0-1,memdev=m0
	-object memory-backend-ram,id=vmem0,share=on,size="${CXL}M",prealloc=on
	-device pxb-cxl,bus_nr=12,bus=pcie.0,id=cxl.1
	-device cxl-rp,port=0,bus=cxl.1,id=rp0,chassis=0,slot=2
	-device cxl-type3,bus=rp0,volatile-memdev=vmem0,id=cxl-vmem0,sn=0x1
	-M cxl-fmw.0.targets.0=cxl.1,cxl-fmw.0.size="${WINDOW}G")

if [ "$SHELL_MODE" = 1 ]; then
	log "booting the VM with a shell on the console (exit the shell to power off)"
	exec "${QEMU[@]}" "${ARGS[@]}" -nographic
fi

mkdir -p "$(dirname "$LOG")"
log "booting the VM (QEMU $qv, TCG, ${MEM} MiB DRAM + ${CXL} MiB CXL, timeout ${TIMEOUT}s)"
set +e
timeout --signal=KILL "$TIMEOUT" "${QEMU[@]}" "${ARGS[@]}" -display none -serial stdio \
	</dev/null 2>&1 | tee "$LOG"
qrc=${PIPESTATUS[0]}
set -e

fail=0
if [ "$qrc" = 137 ]; then
	echo "vm: the guest hung: killed after ${TIMEOUT}s; last console lines:" >&2
	tail -n 25 "$LOG" >&2
	exit 124
fi
# Any kernel splat fails the run, whatever the command returned.
SPLAT='\] (WARNING:|BUG:|BUG |Oops|Kernel panic|general protection fault|KFENCE: |KASAN: |UBSAN: |INFO: task .* blocked|INFO: possible|list_(add|del) corruption|refcount_t: |watchdog: )'
if grep -aqE "$SPLAT" "$LOG"; then
	echo "vm: kernel splat on the console (this fails the run):" >&2
	grep -aE -A12 "$SPLAT" "$LOG" | head -n 40 >&2
	fail=1
fi
rc=$(sed -n 's/^ZSWAP_SPM_EXIT=\([0-9]*\).*/\1/p' "$LOG" | tr -d '\r' | tail -n1)
if [ -z "$rc" ]; then
	echo "vm: the guest stopped before the command finished (panic?); last console lines:" >&2
	tail -n 25 "$LOG" >&2
	exit 125
fi
[ "$fail" = 0 ] || exit 126
exit "$rc"
