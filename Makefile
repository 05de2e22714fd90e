# SPDX-License-Identifier: GPL-2.0
# zswap-spm: build, boot and test.  See README.md.
#
#   make run       boot the VM and show the feature working
#   make check     build and run every test; TESTS="zswap_spm:vm_env" for one
#   make shell     a shell in the VM
#   make kernel    only fetch, patch and build the kernel and kselftests
#   make series    export our work as a patch series against pristine 7.3
#   make bench     benchmarks in the VM (QUICK=1: under 10 min); see bench/
#
# VM options: MEM=MiB (DRAM, default 2048), CXL=MiB (CXL device, default
# 1024), SWAP=MiB (default 4096), APPEND="kernel args", TIMEOUT=seconds,
# CXL_MODE=compressed|spm|sysram (how the CXL region is onlined).

SHELL := /bin/bash
VMOPTS := $(if $(MEM),--mem $(MEM)) $(if $(CXL),--cxl $(CXL)) \
	  $(if $(SWAP),--swap $(SWAP)) $(if $(APPEND),--append "$(APPEND)") \
	  $(if $(TIMEOUT),--timeout $(TIMEOUT)) $(if $(CXL_MODE),--cxl-mode $(CXL_MODE))

.PHONY: all run check shell kernel series bench clean distclean help

all: help

help:
	@sed -n '2,13s/^# \{0,1\}//p' Makefile

kernel:
	scripts/prepare.sh kernel

run:
	scripts/prepare.sh run
	scripts/vm.sh $(VMOPTS) --log build/run-console.log -- /share/demo.sh

check:
	VMOPTS='$(VMOPTS)' scripts/check.sh $(TESTS)

shell:
	scripts/prepare.sh shell
	scripts/vm.sh $(VMOPTS) --shell

series:
	scripts/series.sh

bench:
	VMOPTS='$(VMOPTS)' QUICK='$(QUICK)' SCENARIOS='$(SCENARIOS)' MODES='$(MODES)' \
	  CONTENTS='$(CONTENTS)' REPS='$(REPS)' SIZE='$(SIZE)' RUNTIME='$(RUNTIME)' \
	  MEM='$(MEM)' CXL='$(CXL)' SWAP='$(SWAP)' CXL_MODE='$(CXL_MODE)' APPEND='$(APPEND)' \
	  BENCH_KERNEL='$(BENCH_KERNEL)' scripts/bench.sh

clean:
	rm -rf build out

distclean: clean
	rm -rf $${XDG_CACHE_HOME:-$$HOME/.cache}/zswap-spm
