#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Everything before a boot: host packages, guest root file system, kernel
# tree, kernel and kselftests.  Each step is skipped when its cache is good.
. "$(dirname "$0")/lib.sh"
need_root "${1:-check}"
"$TOP"/scripts/setup-host.sh
"$TOP"/scripts/mkrootfs.sh >/dev/null
"$TOP"/scripts/fetch-kernel.sh
"$TOP"/scripts/build-kernel.sh
# 'make run' shows zero-copy reads with a small program of its own.
if [ "${1:-}" = run ]; then
	gcc -Wall -O2 -o "$BUILD/share/mapdemo" "$TOP/scripts/guest/mapdemo.c" ||
		die "building scripts/guest/mapdemo.c failed"
fi
