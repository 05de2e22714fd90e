// SPDX-License-Identifier: GPL-2.0
/*
 * Specific Purpose Memory (SPM) nodes: only explicit allocations use them.
 *
 * Needs an SPM node (the harness onlines its CXL region as one) and
 * CONFIG_SPM_NODE_TEST for /sys/kernel/debug/spm_node_test/, which holds
 * pages allocated with spm_folio_alloc().
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/mempolicy.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "spm_util.h"

#define T "/sys/kernel/debug/spm_node_test/"
#define NODES "/sys/devices/system/node/"

#ifndef MPOL_WEIGHTED_INTERLEAVE
#define MPOL_WEIGHTED_INTERLEAVE 6
#endif

/* The SPM node, selected in the test interface, or -1 if there is none. */
static int spm_nid(void)
{
	char buf[16];
	int nid = first_spm_node();

	if (nid < 0 || access(T "alloc", W_OK))
		return -1;
	snprintf(buf, sizeof(buf), "%d", nid);
	if (write_file(T "nid", buf))
		return -1;
	return nid;
}

#define NO_SPM "no SPM node, or no spm_node_test debugfs (CONFIG_SPM_NODE_TEST)"

/*
 * Is the SPM node the memory of a device bound to cxl_compressed?  Then the
 * driver owns it, and only the driver allocates there.
 */
static bool owned_by_driver(void)
{
	return !access("/sys/bus/dax/devices/dax0.0/compressed", F_OK);
}

#define OWNED "cxl_compressed owns the SPM node: only it allocates there (CXL_MODE=spm runs this)"

static int hold(long nr)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%ld", nr);
	return write_file(T "alloc", buf);
}

static int release(const char *what)
{
	return write_file(T "free", what);
}

TEST(spm_node_reported)
{
	char path[128], has_mem[256];
	int nid;

	nid = spm_nid();
	if (nid < 0)
		SKIP(return, NO_SPM);
	snprintf(path, sizeof(path), NODES "node%d/spm", nid);
	EXPECT_EQ(1, read_long(path, -1));
	EXPECT_EQ(0, read_long(NODES "node0/spm", -1));
	ASSERT_GT(read_file(NODES "has_memory", has_mem, sizeof(has_mem)), 0);
	/* has_memory is a node list: for a 2-node VM it must be just "0". */
	EXPECT_STREQ("0\n", has_mem) TH_LOG("has_memory lists the SPM node");
}

/* Does a node list such as "0-2,4" contain @nid? */
static bool nodelist_has(const char *list, int nid)
{
	const char *p = list;
	char *end;
	long a, b;

	while (*p >= '0' && *p <= '9') {
		a = strtol(p, &end, 10);
		b = *end == '-' ? strtol(end + 1, &end, 10) : a;
		if (nid >= a && nid <= b)
			return true;
		p = *end == ',' ? end + 1 : end;
	}
	return false;
}

/* Reclaim, compaction and tiering leave the node alone: no threads, no tier. */
TEST(no_kswapd_kcompactd_or_tier)
{
	char name[32], comm[64], path[320], list[256];
	struct dirent *de;
	int nid, found = 0;
	DIR *d;

	nid = spm_nid();
	if (nid < 0)
		SKIP(return, NO_SPM);
	d = opendir("/proc");
	ASSERT_NE(NULL, d);
	while ((de = readdir(d))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", de->d_name);
		if (read_file(path, comm, sizeof(comm)) <= 0)
			continue;
		comm[strcspn(comm, "\n")] = '\0';
		snprintf(name, sizeof(name), "kswapd%d", nid);
		EXPECT_STRNE(name, comm);
		snprintf(name, sizeof(name), "kcompactd%d", nid);
		EXPECT_STRNE(name, comm);
		found += !strcmp(comm, "kswapd0");
	}
	closedir(d);
	EXPECT_EQ(1, found) TH_LOG("kswapd0 not found: the scan is broken");

	d = opendir("/sys/devices/virtual/memory_tiering");
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "memory_tier", 11))
			continue;
		snprintf(path, sizeof(path), "/sys/devices/virtual/memory_tiering/%s/nodelist",
			 de->d_name);
		if (read_file(path, list, sizeof(list)) <= 0)
			continue;
		EXPECT_FALSE(nodelist_has(list, nid)) TH_LOG("%s lists node %d", de->d_name, nid);
	}
	closedir(d);
}

TEST(explicit_alloc_is_exact)
{
	long before, during, after;
	int nid;

	nid = spm_nid();
	if (nid < 0)
		SKIP(return, NO_SPM);
	if (owned_by_driver())
		SKIP(return, OWNED);
	ASSERT_EQ(0, release("all"));
	before = node_used_pages(nid);
	ASSERT_EQ(0, hold(512));
	during = node_used_pages(nid);
	ASSERT_EQ(512, read_long(T "held", -1));
	EXPECT_EQ(before + 512, during);
	ASSERT_EQ(0, release("all"));
	after = node_used_pages(nid);
	EXPECT_EQ(before, after);
}

TEST(explicit_alloc_rejects_other_nodes)
{
	int nid;

	nid = spm_nid();
	if (nid < 0)
		SKIP(return, NO_SPM);
	ASSERT_EQ(0, write_file(T "nid", "0"));
	EXPECT_EQ(-EINVAL, hold(1));
	ASSERT_EQ(0, write_file(T "nid", "4095"));
	EXPECT_EQ(-EINVAL, hold(1));
	EXPECT_EQ(-EINVAL, write_file(T "alloc", "lots"));
	EXPECT_EQ(0, read_long(T "held", -1));
}

/*
 * An SPM node has one owner: where cxl_compressed owns the node, the test
 * interface (any other caller of spm_folio_alloc()) gets nothing, and the
 * node's memory is untouched.
 */
TEST(non_owner_allocation_refused)
{
	long before;
	int nid;

	nid = spm_nid();
	if (nid < 0)
		SKIP(return, NO_SPM);
	if (!owned_by_driver())
		SKIP(return, "no driver owns the SPM node: the test interface may (CXL_MODE=spm)");
	ASSERT_EQ(0, release("all"));
	before = node_used_pages(nid);
	EXPECT_EQ(-EBUSY, hold(1));
	EXPECT_EQ(0, read_long(T "held", -1));
	EXPECT_EQ(before, node_used_pages(nid));
}

/* Every general-purpose allocator, told to prefer the SPM node, avoids it. */
TEST(general_allocations_avoid_spm)
{
	char buf[1024], *line, *save;
	int nid, lines = 0;

	nid = spm_nid();
	if (nid < 0)
		SKIP(return, NO_SPM);
	ASSERT_GT(read_file(T "probe", buf, sizeof(buf)), 0);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char what[64], where[16];

		int n = sscanf(line, "%63s %15s", what, where);

		ASSERT_EQ(2, n);
		if (strcmp(where, "none"))
			EXPECT_NE(nid, atoi(where)) TH_LOG("%s landed on the SPM node", what);
		lines++;
	}
	EXPECT_EQ(8, lines);
}

static long sys_mbind(void *addr, unsigned long len, int mode,
		      unsigned long *mask, unsigned long maxnode)
{
	return syscall(SYS_mbind, addr, len, mode, mask, maxnode, 0);
}

static long sys_set_mempolicy(int mode, unsigned long *mask, unsigned long maxnode)
{
	return syscall(SYS_set_mempolicy, mode, mask, maxnode);
}

TEST(mempolicy_rejects_spm_only)
{
	static const int modes[] = { MPOL_BIND, MPOL_PREFERRED, MPOL_INTERLEAVE,
				     MPOL_PREFERRED_MANY, MPOL_WEIGHTED_INTERLEAVE };
	unsigned long spm_only, both = 1;
	size_t len = 4 * page_size();
	char *p;
	int nid, i;

	nid = spm_nid();
	if (nid < 0)
		SKIP(return, NO_SPM);
	spm_only = 1UL << nid;
	both |= spm_only;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		errno = 0;
		EXPECT_EQ(-1, sys_mbind(p, len, modes[i], &spm_only, 64));
		EXPECT_EQ(EINVAL, errno) TH_LOG("mbind mode %d", modes[i]);
		errno = 0;
		EXPECT_EQ(-1, sys_set_mempolicy(modes[i], &spm_only, 64));
		EXPECT_EQ(EINVAL, errno) TH_LOG("set_mempolicy mode %d", modes[i]);
		/* With a system RAM node too, the policy works and skips SPM. */
		EXPECT_EQ(0, sys_mbind(p, len, modes[i], &both, 64))
			TH_LOG("mbind mode %d with node 0: %s", modes[i], strerror(errno));
	}
	EXPECT_EQ(0, sys_set_mempolicy(MPOL_DEFAULT, NULL, 0));
	munmap(p, len);
}

TEST(migration_to_spm_rejected)
{
	unsigned long old = 1, new;
	int nid, node, status = 0;
	char *p;
	void *pages[1];

	nid = spm_nid();
	if (nid < 0)
		SKIP(return, NO_SPM);
	p = mmap(NULL, page_size(), PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	memset(p, 0x5a, page_size());
	pages[0] = p;
	node = nid;
	errno = 0;
	EXPECT_EQ(-1, syscall(SYS_move_pages, 0, 1, pages, &node, &status, 0));
	EXPECT_EQ(ENODEV, errno);
	new = 1UL << nid;
	errno = 0;
	EXPECT_EQ(-1, syscall(SYS_migrate_pages, 0, 64, &old, &new));
	EXPECT_EQ(EINVAL, errno);
	/* The page did not move and kept its data. */
	ASSERT_EQ(0, syscall(SYS_move_pages, 0, 1, pages, NULL, &status, 0));
	EXPECT_EQ(0, status);
	EXPECT_EQ(0x5a, p[page_size() - 1]);
	munmap(p, page_size());
}

/*
 * A cpuset may list an SPM node in cpuset.mems (cgroup v2 accepts any node),
 * but its effective nodes, the ones its tasks allocate from, never include it.
 */
TEST(cpuset_never_effective_on_spm)
{
	const char *cg = "/sys/fs/cgroup/spm_node_cpuset";
	char path[128], val[16], eff[64];
	int nid;

	nid = spm_nid();
	if (nid < 0)
		SKIP(return, NO_SPM);
	rmdir(cg);
	ASSERT_EQ(0, mkdir(cg, 0755));
	snprintf(path, sizeof(path), "%s/cpuset.mems", cg);
	snprintf(val, sizeof(val), "0,%d", nid);
	EXPECT_EQ(0, write_file(path, val));
	snprintf(path, sizeof(path), "%s/cpuset.mems.effective", cg);
	ASSERT_GT(read_file(path, eff, sizeof(eff)), 0);
	EXPECT_STREQ("0\n", eff);
	snprintf(path, sizeof(path), "%s/cpuset.mems", cg);
	snprintf(val, sizeof(val), "%d", nid);
	EXPECT_EQ(0, write_file(path, val));
	snprintf(path, sizeof(path), "%s/cpuset.mems.effective", cg);
	ASSERT_GT(read_file(path, eff, sizeof(eff)), 0);
	EXPECT_STREQ("0\n", eff) TH_LOG("an SPM-only cpuset falls back to its parent's nodes");
	ASSERT_GT(read_file("/sys/fs/cgroup/cpuset.mems.effective", eff, sizeof(eff)), 0);
	EXPECT_STREQ("0\n", eff);
	rmdir(cg);
}

/* Run a shell command line; returns its exit status. */
static int sh(const char *cmd)
{
	int rc = system(cmd);

	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* Dirty @mb MiB of anonymous memory, half of it THP-eligible. */
static int dirty_anon(long mb)
{
	size_t len = mb << 20;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	size_t i;

	if (p == MAP_FAILED)
		return -1;
	madvise(p, len / 2, MADV_HUGEPAGE);
	for (i = 0; i < len; i += 4096)
		p[i] = (char)(i >> 12);
	for (i = 0; i < len; i += 4096)
		if (p[i] != (char)(i >> 12))
			return -2;
	munmap(p, len);
	return 0;
}

/* numactl's "all" keeps working; page cache, tmpfs, slab, mixed anon. */
static const char * const workloads[] = {
	"numactl --interleave=all dd if=/dev/zero of=/dev/shm/spm-a bs=1M count=256 status=none",
	"numactl --preferred=0 dd if=/dev/vda of=/dev/null bs=1M count=256 status=none",
	"mkdir -p /tmp/spm-slab && cd /tmp/spm-slab && seq 20000 | xargs touch",
	"rm -rf /tmp/spm-slab",
	"stress-ng --vm 2 --vm-bytes 25% --vm-method all --verify -t 10s --quiet",
};

/* Tests that run longer than the harness's default 30 s. */
FIXTURE(slow) {};
FIXTURE_SETUP(slow) {}
FIXTURE_TEARDOWN(slow) {}

/*
 * Under memory pressure from every kind of allocation, the SPM node's used
 * pages stay exactly what the explicit allocations put there.
 */
TEST_F_TIMEOUT(slow, isolation_under_pressure, 900)
{
	long used, node0_mb, hp_before, held;
	unsigned long all = ~0UL;
	char path[128];
	pid_t pid;
	int nid, status, i;

	nid = spm_nid();
	if (nid < 0)
		SKIP(return, NO_SPM);
	ASSERT_EQ(0, release("all"));
	/* Where the driver owns the node, its own pages are the ones held. */
	held = owned_by_driver() ? 0 : 256;
	if (held)
		ASSERT_EQ(0, hold(held));
	used = node_used_pages(nid);
	{
		char buf[4096], *m;

		ASSERT_GT(read_file(NODES "node0/meminfo", buf, sizeof(buf)), 0);
		m = strstr(buf, "MemTotal:");
		ASSERT_NE(NULL, m);
		node0_mb = strtol(m + 9, NULL, 10) / 1024;
	}

	/* Anonymous and THP memory beyond DRAM, interleaved over all nodes. */
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		if (sys_set_mempolicy(MPOL_INTERLEAVE, &all, 64))
			_exit(3);
		_exit(dirty_anon(node0_mb + node0_mb / 8) ? 4 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("anon pressure child failed");

	for (i = 0; i < ARRAY_SIZE(workloads); i++)
		EXPECT_EQ(0, sh(workloads[i])) TH_LOG("workloads[%d] failed", i);
	unlink("/dev/shm/spm-a");

	/* hugetlb: pools grow on system RAM only, never on the SPM node. */
	hp_before = read_long("/proc/sys/vm/nr_hugepages", -1);
	EXPECT_EQ(0, write_file("/proc/sys/vm/nr_hugepages", "16"));
	snprintf(path, sizeof(path),
		 NODES "node%d/hugepages/hugepages-2048kB/nr_hugepages", nid);
	if (!access(path, W_OK)) {
		write_file(path, "8");
		EXPECT_EQ(0, read_long(path, -1));
	}
	snprintf(path, sizeof(path), "%ld", hp_before);
	EXPECT_EQ(0, write_file("/proc/sys/vm/nr_hugepages", path));

	EXPECT_EQ(used, node_used_pages(nid));
	EXPECT_EQ(held, read_long(T "held", -1));
	/* The held pages kept their contents through all of it. */
	EXPECT_EQ(0, release("all"));
}

/* The memory blocks of node @nid, as "memoryN" names; returns the count. */
static int node_blocks(int nid, char names[][32], int max)
{
	char path[128];
	struct dirent *de;
	int n = 0;
	DIR *d;

	snprintf(path, sizeof(path), NODES "node%d", nid);
	d = opendir(path);
	if (!d)
		return 0;
	while ((de = readdir(d)) && n < max)
		if (!strncmp(de->d_name, "memory", 6) && de->d_name[6] >= '0' &&
		    de->d_name[6] <= '9')
			snprintf(names[n++], 32, "%.31s", de->d_name);
	closedir(d);
	return n;
}

static int block_state(const char *blk, const char *state)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/devices/system/memory/%.31s/state", blk);
	return write_file(path, state);
}

TEST(hot_remove_busy_then_empty)
{
	char blocks[64][32], path[128], buf[64];
	int nid, n, i, busy = 0, rc;

	nid = spm_nid();
	if (nid < 0)
		SKIP(return, NO_SPM);
	if (owned_by_driver())
		SKIP(return, OWNED);
	n = node_blocks(nid, blocks, 64);
	ASSERT_GT(n, 0);
	ASSERT_EQ(0, release("all"));
	ASSERT_EQ(0, hold(4096));

	/* Blocks holding the owner's pages refuse to go; others may go. */
	for (i = 0; i < n; i++) {
		rc = block_state(blocks[i], "offline");
		if (rc == -EBUSY)
			busy++;
		else
			EXPECT_EQ(0, rc) TH_LOG("%s: %s", blocks[i], strerror(-rc));
	}
	EXPECT_GT(busy, 0);
	for (i = 0; i < n; i++)
		block_state(blocks[i], "online");
	EXPECT_EQ(0, release("all"));

	/* Once the owner let go, the whole node offlines... */
	for (i = 0; i < n; i++)
		EXPECT_EQ(0, block_state(blocks[i], "offline")) TH_LOG("%s", blocks[i]);
	snprintf(path, sizeof(path), NODES "node%d/spm", nid);
	EXPECT_EQ(1, read_long(path, -1)) TH_LOG("an offline SPM node stays SPM");
	/* ...and comes back as SPM in ZONE_NORMAL, even if asked for movable. */
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "/sys/devices/system/memory/%.31s/valid_zones",
			 blocks[i]);
		ASSERT_GT(read_file(path, buf, sizeof(buf)), 0);
		EXPECT_STREQ("Normal\n", buf);
		EXPECT_EQ(0, block_state(blocks[i], i ? "online" : "online_movable"));
	}
	EXPECT_EQ(0, hold(16));
	EXPECT_EQ(0, release("all"));
}

#define DAX "/sys/bus/dax/devices/"
#define KMEM "/sys/bus/dax/drivers/kmem/"
#define CCM "/sys/bus/dax/drivers/cxl_compressed/"
#define DAX_REGION DAX "dax0.0/../dax_region/"

static int dax_set(const char *dev, const char *attr, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), DAX "%s/%s", dev, attr);
	return write_file(path, val);
}

/* Offline every memory block of node @nid; returns the first error. */
static int offline_node(int nid)
{
	char blocks[64][32];
	int n = node_blocks(nid, blocks, 64), i, rc, ret = 0;

	for (i = 0; i < n; i++) {
		rc = block_state(blocks[i], "offline");
		if (rc && !ret)
			ret = rc;
	}
	return ret;
}

/* @key ("MemTotal:", "MemFree:") in node @nid's meminfo, in KiB, or -1. */
static long node_meminfo_kb(int nid, const char *key)
{
	char path[128], buf[4096], *m;

	snprintf(path, sizeof(path), NODES "node%d/meminfo", nid);
	if (read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	m = strstr(buf, key);
	return m ? strtol(m + strlen(key), NULL, 10) : -1;
}

static long node_total_kb(int nid)
{
	return node_meminfo_kb(nid, "MemTotal:");
}

static long node_free_kb(int nid)
{
	return node_meminfo_kb(nid, "MemFree:");
}

/* The value of @key in a file of "key value" lines, or -1. */
static long keyed_long(const char *path, const char *key)
{
	size_t n = strlen(key);
	char line[256];
	long val = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ' ') {
			val = strtol(line + n + 1, NULL, 10);
			break;
		}
	fclose(f);
	return val;
}

/* True if dax device @dev is bound to driver @drv. */
static bool dax_bound_to(const char *dev, const char *drv)
{
	char path[128], link[256];
	ssize_t n;

	snprintf(path, sizeof(path), DAX "%s/driver", dev);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return false;
	link[n] = '\0';
	return !strcmp(strrchr(link, '/') + 1, drv);
}

/* Give kmem's memory of @dev back: offline it and unbind kmem. */
static int kmem_release(int nid, const char *dev)
{
	int rc = offline_node(nid);

	return rc ? rc : write_file(KMEM "unbind", dev);
}

/* MemTotal and MemFree of /proc/meminfo leave SPM memory out. */
TEST(spm_memory_not_in_memtotal)
{
	char buf[4096], *m;
	long total, node0, free_kb;
	int nid;

	nid = spm_nid();
	if (nid < 0)
		SKIP(return, NO_SPM);
	ASSERT_GT(read_file("/proc/meminfo", buf, sizeof(buf)), 0);
	m = strstr(buf, "MemTotal:");
	ASSERT_NE(NULL, m);
	total = strtol(m + 9, NULL, 10);
	node0 = node_total_kb(0);
	ASSERT_GT(node_total_kb(nid), 0);
	/* The VM has one system RAM node, node 0. */
	EXPECT_EQ(node0, total);
	m = strstr(buf, "MemFree:");
	ASSERT_NE(NULL, m);
	EXPECT_LE(strtol(m + 8, NULL, 10), node0);
	/*
	 * The system-wide counters leave out the SPM node's free pages (most
	 * of the node): /proc/vmstat's free pages are node 0's, give or take
	 * per-CPU drift, and so is what dirty limits are computed from.
	 */
	free_kb = keyed_long("/proc/vmstat", "nr_free_pages") * page_size() / 1024;
	ASSERT_LT(0, free_kb);
	EXPECT_GT(node_free_kb(0) + 16384, free_kb)
		TH_LOG("nr_free_pages %ld KiB, node 0 free %ld KiB, node %d free %ld KiB",
		       free_kb, node_free_kb(0), nid, node_free_kb(nid));
	/* Nor are they subtracted twice. */
	EXPECT_LT(node_free_kb(0) - 16384, free_kb);
}

/*
 * A node holds SPM or system RAM, never both.  The CXL region's dax device is
 * split in two halves on the same node; whichever kind is added first, adding
 * the other fails with EINVAL and leaves the node as it was.
 */
TEST(spm_and_sysram_never_share_a_node)
{
	char half[32], full[32], seed[32], spm_path[128];
	long size, total;
	bool ccm;
	int nid, n;

	nid = spm_nid();
	if (nid < 0)
		SKIP(return, NO_SPM);
	size = read_long(DAX "dax0.0/size", -1);
	if (size <= 0 || access(DAX_REGION "create", W_OK))
		SKIP(return, "no dynamic dax region for the CXL region (dax0.0)");
	total = node_total_kb(nid);
	snprintf(full, sizeof(full), "%ld", size);
	snprintf(half, sizeof(half), "%ld", size / 2);
	snprintf(spm_path, sizeof(spm_path), NODES "node%d/spm", nid);
	ASSERT_EQ(0, release("all"));

	/* An empty node may take either kind. */
	ccm = dax_bound_to("dax0.0", "cxl_compressed");
	ASSERT_EQ(0, ccm ? write_file(CCM "unbind", "dax0.0") :
			   kmem_release(nid, "dax0.0"));
	EXPECT_EQ(-1, first_spm_node());
	ASSERT_EQ(0, dax_set("dax0.0", "size", half));
	ASSERT_EQ(0, write_file(DAX_REGION "create", "1"));
	n = read_file(DAX_REGION "seed", seed, sizeof(seed));
	ASSERT_GT(n, 0);
	seed[strcspn(seed, "\n")] = '\0';
	ASSERT_EQ(0, dax_set(seed, "size", half));
	EXPECT_EQ(0, read_long(DAX "dax0.0/../dax_region/available_size", -1));

	/* System RAM first: SPM may not join it. */
	ASSERT_EQ(0, write_file(KMEM "bind", seed));
	EXPECT_EQ(0, read_long(spm_path, -1));
	EXPECT_EQ(total / 2, node_total_kb(nid));
	EXPECT_EQ(-EINVAL, write_file(KMEM "bind", "dax0.0"));
	EXPECT_EQ(total / 2, node_total_kb(nid));
	EXPECT_EQ(0, kmem_release(nid, seed));

	/* SPM first: system RAM may not join it. */
	ASSERT_EQ(0, write_file(KMEM "bind", "dax0.0"));
	EXPECT_EQ(1, read_long(spm_path, -1));
	EXPECT_EQ(-EINVAL, write_file(KMEM "bind", seed));
	EXPECT_EQ(total / 2, node_total_kb(nid));
	EXPECT_EQ(1, read_long(spm_path, -1));
	/* kmem holds dax0.0: its kind cannot change under it. */
	EXPECT_EQ(-EBUSY, dax_set("dax0.0", "spm_node", "0"));

	/* Put the whole region back as one SPM device. */
	ASSERT_EQ(0, dax_set(seed, "size", "0"));
	ASSERT_EQ(0, write_file(DAX_REGION "delete", seed));
	ASSERT_EQ(0, kmem_release(nid, "dax0.0"));
	ASSERT_EQ(0, dax_set("dax0.0", "size", full));
	ASSERT_EQ(0, write_file(KMEM "bind", "dax0.0"));
	EXPECT_EQ(1, read_long(spm_path, -1));
	EXPECT_EQ(total, node_total_kb(nid));
	/* Hand it back to the compressed-memory driver if it had it. */
	if (ccm) {
		ASSERT_EQ(0, kmem_release(nid, "dax0.0"));
		ASSERT_EQ(0, write_file(CCM "new_id", "dax0.0"));
		ASSERT_TRUE(dax_bound_to("dax0.0", "cxl_compressed"));
	}
	/* The driver owns its node again; a plain SPM node is the test's. */
	EXPECT_EQ(ccm ? -EBUSY : 0, hold(16));
	EXPECT_EQ(0, release("all"));
}

TEST_HARNESS_MAIN
