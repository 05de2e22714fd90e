#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The benchmark kernel: the test kernel's configuration without
# config/debug.config (lockdep, DEBUG_VM, KFENCE weigh on the paths the
# benchmarks time), built in $BUILD/obj-bench.  'make bench KERNEL=bench'.
. "$(dirname "$0")/lib.sh"

build_variant "$BUILD/obj-bench" "$BUILD/bench-kernel-build.log" benchmark \
	"$TOP"/config/base.config "$TOP"/config/zswap_spm.config
