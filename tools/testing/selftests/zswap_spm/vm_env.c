// SPDX-License-Identifier: GPL-2.0
/*
 * The test VM itself: a CPU-less CXL memory node of the expected size is
 * online, swap is active and zswap is present.  Everything else in this
 * directory assumes this; when it fails, the harness is broken, not the
 * feature.
 *
 * The expected CXL capacity comes from ZSWAP_SPM_CXL_MIB, which the harness
 * exports; without it the size check is skipped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "spm_util.h"

/* MemTotal of a node in kB, or -1. */
static long node_memtotal_kb(int nid)
{
	char path[128], buf[4096], *p;

	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/meminfo", nid);
	if (read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	p = strstr(buf, "MemTotal:");
	return p ? strtol(p + strlen("MemTotal:"), NULL, 10) : -1;
}

/* The CXL node: a node with memory and no CPUs. */
static int find_cxl_node(void)
{
	char path[128], buf[256];
	int nid;

	for (nid = 1; nid < 64; nid++) {
		snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/cpulist", nid);
		if (read_file(path, buf, sizeof(buf)) < 0)
			continue;
		if ((buf[0] == '\n' || buf[0] == '\0') && node_memtotal_kb(nid) > 0)
			return nid;
	}
	return -1;
}

TEST(cxl_node_online_with_expected_size)
{
	const char *want = getenv("ZSWAP_SPM_CXL_MIB");
	char buf[64];
	long kb, region;
	int nid = find_cxl_node();

	ASSERT_GT(nid, 0) TH_LOG("no CPU-less node with memory: CXL region not onlined");
	kb = node_memtotal_kb(nid);
	ASSERT_GE(read_file("/sys/bus/cxl/devices/region0/size", buf, sizeof(buf)), 0)
		TH_LOG("no CXL region0");
	region = strtol(buf, NULL, 0);
	EXPECT_EQ(region / 1024, kb)
		TH_LOG("node%d has %ld kB, region0 is %ld bytes", nid, kb, region);
	if (!want)
		SKIP(return, "ZSWAP_SPM_CXL_MIB not set: size not checked against the VM layout");
	EXPECT_EQ(strtol(want, NULL, 10) * 1024, kb);
}

TEST(cxl_memory_blocks_online)
{
	char path[512], buf[64];
	struct dirent *de;
	int nid = find_cxl_node(), blocks = 0;
	DIR *d;

	ASSERT_GT(nid, 0);
	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d", nid);
	d = opendir(path);
	ASSERT_NE(NULL, d);
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "memory", 6) || !strchr("0123456789", de->d_name[6]))
			continue;
		snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/%s/state",
			 nid, de->d_name);
		ASSERT_GE(read_file(path, buf, sizeof(buf)), 0);
		EXPECT_STREQ("online\n", buf) TH_LOG("%s", path);
		blocks++;
	}
	closedir(d);
	EXPECT_GT(blocks, 0);
}

TEST(swap_active)
{
	char buf[4096], *line;
	long size = 0;
	int n;

	ASSERT_GE(read_file("/proc/swaps", buf, sizeof(buf)), 0);
	line = strchr(buf, '\n');
	ASSERT_NE(NULL, line);
	n = sscanf(line + 1, "%*s %*s %ld", &size);
	ASSERT_EQ(1, n) TH_LOG("no swap device in /proc/swaps");
	EXPECT_GT(size, 0);
}

TEST(zswap_enabled)
{
	char buf[16];

	ASSERT_GE(read_file("/sys/module/zswap/parameters/enabled", buf, sizeof(buf)), 0)
		TH_LOG("zswap not built in");
	EXPECT_STREQ("Y\n", buf);
	ASSERT_EQ(0, access("/sys/kernel/debug/zswap/stored_pages", R_OK))
		TH_LOG("zswap debugfs missing (debugfs not mounted?)");
}

TEST_HARNESS_MAIN
