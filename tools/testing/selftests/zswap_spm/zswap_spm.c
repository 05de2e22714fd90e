// SPDX-License-Identifier: GPL-2.0
/*
 * zswap on compressed memory devices: with zswap.spm_enabled=Y, zswap stores
 * a swapped-out page by copying it into a page of a compressed CXL memory
 * expander (cxl_compressed) instead of compressing it in software, loads it
 * back by copying, and moves its entries off the device when the device
 * fills up (the escape valve).
 *
 * Needs CONFIG_ZSWAP_SPM, a dax device bound to cxl_compressed (the test VM
 * binds dax0.0 with the emulated lz4 engine, cxl_compressed.model=lz4), an
 * active swap device, debugfs, and the cgroup v2 memory controller.  zswap
 * is assumed to be the device's only consumer while the tests run.
 *
 * Each test runs its pages in a cgroup of its own with zswap enabled,
 * zswap.spm_enabled=Y and the zswap shrinker off (only the test and the
 * escape valve move entries), and gives everything back in its teardown,
 * which runs in the harness's parent process so that a test that crashed is
 * cleaned up too.  Pages are pushed out with MADV_PAGEOUT and, read back,
 * compared byte for byte with a copy kept outside the cgroup.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/userfaultfd.h>

#include "../kselftest_harness.h"
#include "spm_util.h"

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25	/* Linux 6.1; glibc may not have it yet */
#endif

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

#define PARAM "/sys/module/zswap/parameters/"
#define ZDBG "/sys/kernel/debug/zswap/"
#define DAX "/sys/bus/dax/devices/"
#define CCM_DBG "/sys/kernel/debug/cxl_compressed/"
#define CGROOT "/sys/fs/cgroup/"
#define MTHP "/sys/kernel/mm/transparent_hugepage/hugepages-64kB/"
#define NUMA_BALANCING "/proc/sys/kernel/numa_balancing"
#define SWAP_SYS "/sys/kernel/mm/swap/"

#define KIB 1024L
#define MIB (1024 * KIB)
/* memory.stat is flushed at least every 2 s: how long to wait for it. */
#define STAT_MS 6000
/* How long the escape valve may take to move a few hundred entries. */
#define VALVE_MS 60000
/* How long the device's pressure level may take to follow an injection. */
#define LEVEL_MS 10000

enum content { RANDOM, PATTERN, TEXT, DENSE_TEXT, ZERO };

/* zswap's parameters the tests set, and the values they set. */
static const char * const params[] = {
	"enabled", "shrinker_enabled", "spm_enabled", "compressor", "max_pool_percent",
	"spm_map",
};

/* Copying loads, but in the map_ tests, which map device pages. */
static const char * const param_test[] = { "Y", "N", "Y", "lz4", "20", "N" };

struct zspm {
	long page;
	char cg[96];		/* the test's cgroup, with a '/' */
	char sys[96];		/* the device's compressed/ directory, with a '/' */
	char dbg[96];		/* its debugfs directory, with a '/' */
	char swapdev[128];	/* the swap device */
	char dax[32];		/* the device's dax device */
	char region[32];	/* its CXL region, once a test unbinds it */
	char was[ARRAY_SIZE(params)][16];	/* the parameters before the test */
	cpu_set_t cpus;		/* where the test may run */
	char mthp_was[32];	/* 64 KiB mTHP setting a test changed */
	char period_was[16];	/* model_telemetry_ms a test changed */
	char numa_was[16];	/* kernel.numa_balancing a test changed */
	char vma_ra_was[16];	/* swap's vma_ra_enabled a test changed */
	bool swapped_off;	/* a test turned swap off */
	bool removed;		/* a test unbound the device's region */
	bool armed;		/* the setup changed global state */
};

/* What a test's pages must hold (outside its cgroup) and the pages. */
struct region {
	char *copy;
	char *data;
	long pages;
};

FIXTURE(zspm) {
	struct zspm z;
};

/* Read @dir@name without its trailing newline; returns 0 or -errno. */
static int get_str(const char *dir, const char *name, char *buf, size_t len)
{
	char path[256];
	int n;

	snprintf(path, sizeof(path), "%s%s", dir, name);
	n = read_file(path, buf, len);
	if (n < 0)
		return n;
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* Write @val to @dir@name; returns 0 or -errno. */
static int set_str(const char *dir, const char *name, const char *val)
{
	char path[256];

	snprintf(path, sizeof(path), "%s%s", dir, name);
	return write_file(path, val);
}

/* The number in @dir@name, or -1. */
static long long get_num(const char *dir, const char *name)
{
	char buf[64];

	if (get_str(dir, name, buf, sizeof(buf)) || buf[0] < '0' || buf[0] > '9')
		return -1;
	return strtoll(buf, NULL, 10);
}

/* The value of @key in a file of "key value" lines, or -1. */
static long long keyed(const char *path, const char *key)
{
	size_t n = strlen(key);
	long long val = -1;
	char line[256];
	FILE *f;

	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, n) && line[n] == ' ') {
			val = strtoll(line + n + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return val;
}

/*
 * Getters of the counters the tests watch, all alike so that wait_for()
 * takes any of them.
 */
static long long vm_event(struct zspm *z, const char *key)
{
	return keyed("/proc/vmstat", key);
}

/* /sys/kernel/debug/zswap/@name */
static long long zdbg(struct zspm *z, const char *name)
{
	return get_num(ZDBG, name);
}

/* @key in the test cgroup's memory.stat */
static long long cg_stat(struct zspm *z, const char *key)
{
	char path[160];

	snprintf(path, sizeof(path), "%smemory.stat", z->cg);
	return keyed(path, key);
}

/* @key in the test cgroup's memory.events */
static long long cg_event(struct zspm *z, const char *key)
{
	char path[160];

	snprintf(path, sizeof(path), "%smemory.events", z->cg);
	return keyed(path, key);
}

/* the test cgroup's file @name, one number */
static long long cg_num(struct zspm *z, const char *name)
{
	return get_num(z->cg, name);
}

/* the device's sysfs attribute @name */
static long long dev_num(struct zspm *z, const char *name)
{
	return get_num(z->sys, name);
}

enum cmp { EQ, GE };

/*
 * Poll @get(@z, @key) for up to @ms until it equals (EQ) or reaches (GE)
 * @want; returns the last value read.
 */
static long long wait_for(long long (*get)(struct zspm *, const char *),
			  struct zspm *z, const char *key, long long want,
			  enum cmp cmp, int ms)
{
	long long val;

	for (;;) {
		val = get(z, key);
		if (val == want || (cmp == GE && val > want))
			return val;
		if (ms <= 0)
			return val;
		usleep(20000);
		ms -= 20;
	}
}

/* Wait up to @ms for the device's pressure level to read @want. */
static bool level_is(struct zspm *z, const char *want, int ms)
{
	char buf[32];

	for (;;) {
		if (!get_str(z->sys, "pressure", buf, sizeof(buf)) && !strcmp(buf, want))
			return true;
		if (ms <= 0)
			return false;
		usleep(20000);
		ms -= 20;
	}
}

static int inject(struct zspm *z, const char *level)
{
	return set_str(z->dbg, "inject_pressure", level);
}

/* Wait until the device has accounted every write and free so far. */
static int settle(struct zspm *z)
{
	return set_str(z->dbg, "settle", "1");
}

/* The device's compression_ratio ("X.YY") times 100, or -1. */
static int ratio_x100(struct zspm *z)
{
	unsigned int whole, frac;
	char buf[32];

	if (get_str(z->sys, "compression_ratio", buf, sizeof(buf)) ||
	    sscanf(buf, "%u.%2u", &whole, &frac) != 2)
		return -1;
	return whole * 100 + frac;
}

static int spm_enable(bool on)
{
	return set_str(PARAM, "spm_enabled", on ? "Y" : "N");
}

/* splitmix64's finaliser: seeds the generator of each page. */
static uint64_t mix64(uint64_t z)
{
	z += 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* xorshift64* */
static uint64_t next64(uint64_t *x)
{
	*x ^= *x >> 12;
	*x ^= *x << 25;
	*x ^= *x >> 27;
	return *x * 0x2545f4914f6cdd1dULL;
}

static const char * const vocab[] = {
	"the", "of", "and", "to", "in", "is", "was", "for", "with", "that",
	"on", "as", "by", "at", "from", "it", "or", "an", "be", "which",
	"about", "another", "because", "before", "between", "building",
	"capacity", "century", "children", "company", "compressed", "computer",
	"condition", "country", "customer", "device", "different", "distance",
	"driver", "evening", "example", "garden", "history", "holiday",
	"island", "journey", "kernel", "kitchen", "language", "library",
	"machine", "memory", "morning", "mountain", "network", "ocean",
	"pressure", "question", "region", "station", "summer", "village",
	"watermark", "weather",
};

#define MAX_PHRASES 8
#define MAX_PHRASE_WORDS 8

/*
 * Text-like data: sentences of English words, partly whole phrases of the
 * page's own.  TEXT (8 phrases of 4 words, 3 items in 8 a phrase) compresses
 * about 2.6x with LZ4 in a 4 KiB page and a 256-byte granule; DENSE_TEXT
 * (only phrases, 4 of 8 words) about 5x.
 */
static void text_page(char *p, long len, uint64_t *x, bool dense)
{
	unsigned int phrase[MAX_PHRASES][MAX_PHRASE_WORDS], i, j;
	unsigned int nphrases = dense ? 4 : 8, plen = dense ? 8 : 4;
	unsigned int in8 = dense ? 8 : 3;
	unsigned int words = 0, count;
	bool cap = true;
	const char *w;
	long n = 0;
	uint64_t r;

	for (i = 0; i < nphrases; i++)
		for (j = 0; j < plen; j++)
			phrase[i][j] = next64(x) % ARRAY_SIZE(vocab);
	while (n < len) {
		r = next64(x);
		count = (r & 7) < in8 ? plen : 1;
		for (j = 0; j < count && n < len; j++) {
			if (count == 1)
				w = vocab[(r >> 40) % ARRAY_SIZE(vocab)];
			else
				w = vocab[phrase[(r >> 32) % nphrases][j]];
			p[n++] = cap ? *w - 'a' + 'A' : *w;
			for (w++; *w && n < len; w++)
				p[n++] = *w;
			cap = false;
			if (n < len)
				p[n++] = ++words % 12 ? ' ' : '\n';
		}
		if (n < len && ((r >> 8) & 0xff) < 40) {
			p[n - 1] = '.';
			p[n++] = ' ';
			cap = true;
		}
	}
}

/* Page @idx of the @kind data stream @seed: the same arguments, the same page. */
static void fill_page(char *p, long len, enum content kind, uint64_t seed, long idx)
{
	uint64_t x = mix64(seed ^ mix64(idx)) | 1, r;
	long i;

	switch (kind) {
	case RANDOM:
		for (i = 0; i + 8 <= len; i += 8) {
			r = next64(&x);
			memcpy(p + i, &r, 8);
		}
		break;
	case PATTERN:
		/* A 64-byte record repeated: compresses very well, yet not zero. */
		for (i = 0; i + 8 <= len; i += 8) {
			r = ((uint64_t)idx << 32 | (i / 8 % 8)) * 0x0101010101ULL + seed;
			memcpy(p + i, &r, 8);
		}
		break;
	case TEXT:
	case DENSE_TEXT:
		text_page(p, len, &x, kind == DENSE_TEXT);
		break;
	case ZERO:
		memset(p, 0, len);
		break;
	}
}

/* Anonymous memory of base pages: a huge page mixes zero and other pages. */
static char *map_pages(long bytes)
{
	char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	madvise(p, bytes, MADV_NOHUGEPAGE);
	return p;
}

/* A region of @pages pages: its copy now, its data after cg_enter(). */
static int region_init(struct zspm *z, struct region *r, long pages)
{
	r->pages = pages;
	r->data = NULL;
	r->copy = map_pages(pages * z->page);
	return r->copy ? 0 : -ENOMEM;
}

/* Pages @first.. of the copy hold @count pages of a data stream. */
static void region_fill(struct zspm *z, struct region *r, long first, long count,
			enum content kind, uint64_t seed)
{
	long i;

	for (i = 0; i < count; i++)
		fill_page(r->copy + (first + i) * z->page, z->page, kind, seed, i);
}

/* @text pages of TEXT then @random of RANDOM. */
static int region_mix(struct zspm *z, struct region *r, long text, long random,
		      uint64_t seed)
{
	int rc = region_init(z, r, text + random);

	if (rc)
		return rc;
	region_fill(z, r, 0, text, TEXT, seed);
	region_fill(z, r, text, random, RANDOM, seed);
	return 0;
}

/* Map the data pages, in the caller's cgroup, and write the copy to them. */
static int region_load(struct zspm *z, struct region *r)
{
	r->data = map_pages(r->pages * z->page);
	if (!r->data)
		return -ENOMEM;
	memcpy(r->data, r->copy, r->pages * z->page);
	return 0;
}

/* Pages of [p, p + bytes) resident in memory, or -1. */
static long resident(const char *p, long bytes, long page)
{
	long n = bytes / page, i, count = 0;
	unsigned char *vec = malloc(n);

	if (!vec || mincore((void *)p, bytes, vec)) {
		free(vec);
		return -1;
	}
	for (i = 0; i < n; i++)
		count += vec[i] & 1;
	free(vec);
	return count;
}

/*
 * Push [p, p + bytes) out to swap with MADV_PAGEOUT.  With @reclaim, also
 * reclaim the cgroup: pages written to the swap disk stay in the swap cache
 * until their writeback ends, where MADV_PAGEOUT no longer sees them.
 * Returns the pages still resident, or -1.
 */
static long push_out(struct zspm *z, char *p, long bytes, bool reclaim)
{
	char val[32];
	long left = -1;
	int i;

	for (i = 0; i < 100; i++) {
		if (madvise(p, bytes, MADV_PAGEOUT))
			return -1;
		left = resident(p, bytes, z->page);
		if (left <= 0)
			break;
		if (reclaim) {
			snprintf(val, sizeof(val), "%ld", left * z->page);
			/* Fails with EAGAIN when it reclaims less: fine. */
			set_str(z->cg, "memory.reclaim", val);
		}
		usleep(20000);
	}
	return left;
}

/* Pages of @r whose data differs from the copy; @first gets the first. */
static long mismatches(struct zspm *z, struct region *r, long *first)
{
	long i, bad = 0;

	*first = -1;
	for (i = 0; i < r->pages; i++) {
		if (!memcmp(r->data + i * z->page, r->copy + i * z->page, z->page))
			continue;
		if (!bad++)
			*first = i;
	}
	return bad;
}

/* Push every page of @r out of memory. */
static void store(struct __test_metadata *_metadata, struct zspm *z, struct region *r)
{
	long left = push_out(z, r->data, r->pages * z->page, false);

	ASSERT_EQ(0, left) TH_LOG("%ld of %ld pages still resident after MADV_PAGEOUT",
				  left, r->pages);
}

/* Read @r back: every page holds what was written to it. */
static void check_data(struct __test_metadata *_metadata, struct zspm *z, struct region *r)
{
	long first, bad = mismatches(z, r, &first);

	EXPECT_EQ(0, bad) TH_LOG("%ld of %ld pages differ from what was written, first page %ld",
				 bad, r->pages, first);
}

/* Move the calling process into the test cgroup. */
static int cg_enter(struct zspm *z)
{
	return set_str(z->cg, "cgroup.procs", "0");
}

/* Kill what runs in the test cgroup and remove it. */
static int cg_remove(struct zspm *z)
{
	int ms;

	if (!z->cg[0] || access(z->cg, F_OK))
		return 0;
	set_str(z->cg, "cgroup.kill", "1");
	for (ms = 0; ms < 10000; ms += 20) {
		if (!rmdir(z->cg))
			return 0;
		if (errno != EBUSY)
			return -errno;
		usleep(20000);
	}
	return -EBUSY;
}

/* Is @dev listed in /proc/swaps? */
static bool swap_active(const char *dev)
{
	char line[256], name[128];
	bool found = false;
	FILE *f = fopen("/proc/swaps", "r");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "%127s", name) == 1 && !strcmp(name, dev);
	fclose(f);
	return found;
}

/* The first swap device in /proc/swaps; 0 or -ENOENT. */
static int first_swap(char *dev, size_t len)
{
	char line[256], name[128];
	int rc = -ENOENT;
	FILE *f = fopen("/proc/swaps", "r");

	if (!f)
		return -ENOENT;
	/* The first line is a header. */
	if (fgets(line, sizeof(line), f) && fgets(line, sizeof(line), f) &&
	    sscanf(line, "%127s", name) == 1) {
		snprintf(dev, len, "%s", name);
		rc = 0;
	}
	fclose(f);
	return rc;
}

/*
 * Keep a test on one CPU: MADV_PAGEOUT drains only the LRU batch of its own
 * CPU, and a page still in another CPU's batch would stay resident.
 */
static void pin_cpu(struct zspm *z)
{
	cpu_set_t one;
	int cpu = 0;

	if (sched_getaffinity(0, sizeof(z->cpus), &z->cpus))
		return;
	while (cpu < CPU_SETSIZE - 1 && !CPU_ISSET(cpu, &z->cpus))
		cpu++;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	sched_setaffinity(0, sizeof(one), &one);
}

static void keep_first(int *err, int rc)
{
	if (rc && !*err)
		*err = rc;
}

/*
 * zswap's fault injection (CONFIG_FAULT_INJECTION_DEBUG_FS): make the next
 * @times copies of @attr ("fail_spm_store" or "fail_spm_load") fail; 0 stops.
 */
static int fail_every(const char *attr, int times, int interval)
{
	char dir[128], val[16];
	int err = 0;

	snprintf(dir, sizeof(dir), ZDBG "%s/", attr);
	if (access(dir, F_OK))
		return times ? -ENOENT : 0;
	keep_first(&err, set_str(dir, "verbose", "0"));
	snprintf(val, sizeof(val), "%d", interval);
	keep_first(&err, set_str(dir, "interval", val));
	snprintf(val, sizeof(val), "%d", times);
	keep_first(&err, set_str(dir, "times", val));
	keep_first(&err, set_str(dir, "probability", times ? "100" : "0"));
	return err;
}

/* The next @times copies of @attr fail; 0 stops. */
static int fail_next(const char *attr, int times)
{
	return fail_every(attr, times, 1);
}

static int free_delay_ms(int ms)
{
	char val[16];

	if (access(ZDBG "spm_inject_free_delay_ms", F_OK))
		return ms ? -ENOENT : 0;
	snprintf(val, sizeof(val), "%d", ms);
	return set_str(ZDBG, "spm_inject_free_delay_ms", val);
}

static bool fault_injection(void)
{
	return !access(ZDBG "fail_spm_store/times", W_OK) &&
	       !access(ZDBG "fail_spm_load/times", W_OK) &&
	       !access(ZDBG "spm_inject_free_delay_ms", W_OK);
}

/* The state every test starts from; returns 0 or the first error. */
static int arm(struct zspm *z)
{
	int err = 0, i;

	for (i = 0; i < ARRAY_SIZE(params); i++)
		keep_first(&err, set_str(PARAM, params[i], param_test[i]));
	keep_first(&err, inject(z, "off"));
	keep_first(&err, set_str(z->dbg, "inject_used_bytes", "0"));
	keep_first(&err, fail_next("fail_spm_store", 0));
	keep_first(&err, fail_next("fail_spm_load", 0));
	keep_first(&err, free_delay_ms(0));
	/* Pages a per-CPU LRU batch still holds: to be freed and scrubbed. */
	keep_first(&err, set_str("/proc/sys/vm/", "drop_caches", "1"));
	keep_first(&err, settle(z));
	if (!level_is(z, "none", LEVEL_MS))
		keep_first(&err, -ETIMEDOUT);
	snprintf(z->cg, sizeof(z->cg), CGROOT "zswap_spm.%d/", getpid());
	if (mkdir(z->cg, 0755))
		keep_first(&err, -errno);
	return err;
}

/* Give back the state the test found; returns 0 or the first error. */
#define CXL_REGION_DRV "/sys/bus/cxl/drivers/cxl_region/"

/* The CXL region under @z's dax device, such as region0, in @z->region. */
static int find_region(struct zspm *z)
{
	char path[128], *real, *c;
	int rc = -ENOENT;

	snprintf(path, sizeof(path), DAX "%s", z->dax);
	real = realpath(path, NULL);
	if (!real)
		return -errno;
	for (c = strtok(real, "/"); c; c = strtok(NULL, "/")) {
		unsigned int id;
		char end;

		if (sscanf(c, "region%u%c", &id, &end) == 1) {
			snprintf(z->region, sizeof(z->region), "region%u", id);
			rc = 0;
		}
	}
	free(real);
	return rc;
}

/*
 * Bring back a device whose region was unbound, as the test VM set it up:
 * bind the region, whose dax device kmem then takes, and hand that to
 * cxl_compressed.
 */
static int device_restore(struct zspm *z)
{
	char path[160], state[160], drv[160];
	ssize_t n = 0;
	int rc, i;

	rc = write_file(CXL_REGION_DRV "bind", z->region);
	if (rc && rc != -EBUSY) {
		ksft_print_msg("binding %s: %s\n", z->region, strerror(-rc));
		return rc;
	}
	/*
	 * kmem takes the region's new dax device as it appears, maybe after
	 * the bind returned; its state file comes last.
	 */
	snprintf(path, sizeof(path), DAX "%s/driver", z->dax);
	snprintf(state, sizeof(state), DAX "%s/state", z->dax);
	for (i = 0; i < 100; i++) {
		n = readlink(path, drv, sizeof(drv) - 1);
		if (n > 0 && (!access(state, F_OK) || !access(z->sys, F_OK)))
			break;
		usleep(100000);
	}
	if (n <= 0) {
		ksft_print_msg("%s has no driver after binding %s\n", z->dax, z->region);
		return -ENODEV;
	}
	drv[n] = '\0';
	if (strstr(drv, "/kmem")) {
		rc = write_file(state, "unplugged");
		if (!rc)
			rc = write_file("/sys/bus/dax/drivers/kmem/unbind", z->dax);
		if (rc) {
			ksft_print_msg("taking %s from kmem: %s\n", z->dax, strerror(-rc));
			return rc;
		}
	}
	if (access(z->sys, F_OK)) {
		rc = write_file("/sys/bus/dax/drivers/cxl_compressed/new_id", z->dax);
		if (rc && rc != -EEXIST) {
			ksft_print_msg("binding %s to cxl_compressed: %s\n", z->dax,
				       strerror(-rc));
			return rc;
		}
	}
	return access(z->sys, F_OK) ? -ENODEV : 0;
}

static int disarm(struct zspm *z)
{
	int err = 0, i;

	if (z->removed) {
		keep_first(&err, device_restore(z));
		if (!err)
			z->removed = false;
	}

	keep_first(&err, inject(z, "off"));
	keep_first(&err, set_str(z->dbg, "inject_used_bytes", "0"));
	keep_first(&err, fail_next("fail_spm_store", 0));
	keep_first(&err, fail_next("fail_spm_load", 0));
	keep_first(&err, free_delay_ms(0));
	if (z->mthp_was[0])
		keep_first(&err, set_str(MTHP, "enabled", z->mthp_was));
	if (z->period_was[0])
		keep_first(&err, set_str(z->sys, "model_telemetry_ms", z->period_was));
	if (z->numa_was[0])
		keep_first(&err, set_str(NUMA_BALANCING, "", z->numa_was));
	if (z->vma_ra_was[0])
		keep_first(&err, set_str(SWAP_SYS, "vma_ra_enabled", z->vma_ra_was));
	if (z->swapped_off || !swap_active(z->swapdev)) {
		if (swapon(z->swapdev, 0) && errno != EBUSY)
			keep_first(&err, -errno);
		else
			z->swapped_off = false;
	}
	keep_first(&err, cg_remove(z));
	for (i = 0; i < ARRAY_SIZE(params); i++)
		if (z->was[i][0])
			keep_first(&err, set_str(PARAM, params[i], z->was[i]));
	keep_first(&err, settle(z));
	return err;
}

FIXTURE_SETUP(zspm)
{
	struct zspm *z = &self->z;
	char dev[32], buf[256];
	glob_t g;
	int rc, i;

	z->page = page_size();
	if (access(PARAM "spm_enabled", W_OK))
		SKIP(return, "no zswap.spm_enabled: kernel without CONFIG_ZSWAP_SPM");
	if (access(ZDBG "spm_stored_pages", R_OK))
		SKIP(return, "no %sspm_stored_pages: debugfs not mounted", ZDBG);
	if (glob(DAX "dax*/compressed", 0, NULL, &g) || !g.gl_pathc)
		SKIP(return, "no dax device is bound to cxl_compressed");
	rc = sscanf(g.gl_pathv[0] + strlen(DAX), "%31[^/]", dev);
	globfree(&g);
	ASSERT_EQ(1, rc);
	snprintf(z->dax, sizeof(z->dax), "%s", dev);
	snprintf(z->sys, sizeof(z->sys), DAX "%s/compressed/", dev);
	snprintf(z->dbg, sizeof(z->dbg), CCM_DBG "%s/", dev);
	snprintf(buf, sizeof(buf), "%sinject_pressure", z->dbg);
	if (access(buf, W_OK))
		SKIP(return, "no %s: debugfs not mounted", buf);
	if (first_swap(z->swapdev, sizeof(z->swapdev)))
		SKIP(return, "no active swap device in /proc/swaps");
	if (read_file(CGROOT "cgroup.subtree_control", buf, sizeof(buf)) < 0 ||
	    !strstr(buf, "memory"))
		SKIP(return, "the cgroup v2 memory controller is not enabled in %s", CGROOT);
	for (i = 0; i < ARRAY_SIZE(params); i++)
		ASSERT_EQ(0, get_str(PARAM, params[i], z->was[i], sizeof(z->was[i])));
	pin_cpu(z);

	z->armed = true;
	rc = arm(z);
	if (rc) {
		/* The teardown does not run after a failed setup. */
		disarm(z);
		ASSERT_EQ(0, rc) TH_LOG("setting up: %s", strerror(-rc));
	}
}

FIXTURE_TEARDOWN_PARENT(zspm)
{
	struct zspm *z = &self->z;
	int rc;

	/*
	 * No TH_LOG on the EXPECTs here: after a failed ASSERT the harness
	 * runs the teardown with its log trigger still set.
	 */
	if (!z->armed)
		return;
	rc = disarm(z);
	if (rc)
		ksft_print_msg("restoring the state after the test: %s\n", strerror(-rc));
	EXPECT_EQ(0, rc);
}

/*
 * Random, patterned and text-like pages go to the device, zero pages take
 * the swap layer's zero-page path; every page reads back as it was written,
 * and the device entries are gone once read.
 */
TEST_F_TIMEOUT(zspm, pages_stored_on_device_and_loaded_back, 180)
{
	struct zspm *z = &self->z;
	const long each = 128, stored = 3 * each;
	long long spm0, charged0, vout0, vin0, held;
	struct region r;

	/*
	 * Random pages last: the device takes pages only while its data
	 * compresses at least 1.25x, and the others keep it there.
	 */
	ASSERT_EQ(0, region_init(z, &r, 4 * each));
	region_fill(z, &r, 0, each, TEXT, 0x5eed0103);
	region_fill(z, &r, each, each, PATTERN, 0x5eed0102);
	region_fill(z, &r, 2 * each, each, RANDOM, 0x5eed0101);
	region_fill(z, &r, 3 * each, each, ZERO, 0);
	spm0 = zdbg(z, "spm_stored_pages");
	charged0 = zdbg(z, "spm_charged_bytes");
	vout0 = vm_event(z, "zswpout_spm");
	vin0 = vm_event(z, "zswpin_spm");
	ASSERT_LE(0, spm0);
	ASSERT_LE(0, vout0) TH_LOG("no zswpout_spm in /proc/vmstat");
	ASSERT_EQ(0, cg_enter(z));
	ASSERT_EQ(0, region_load(z, &r));

	store(_metadata, z, &r);
	EXPECT_EQ(stored, wait_for(cg_stat, z, "zswpout_spm", stored, EQ, STAT_MS));
	EXPECT_EQ(stored, cg_stat(z, "zswpout"));
	EXPECT_EQ(each, cg_stat(z, "swpout_zero"));
	EXPECT_EQ(0, cg_stat(z, "pswpout"));
	EXPECT_EQ(stored * z->page, wait_for(cg_stat, z, "zswapped_spm", stored * z->page,
					     EQ, STAT_MS));
	EXPECT_LE(vout0 + stored, vm_event(z, "zswpout_spm"));
	EXPECT_EQ(spm0 + stored, zdbg(z, "spm_stored_pages"));
	/* zswap holds every page on the device but the driver's test consumer's. */
	held = get_num(z->dbg, "test_held");
	EXPECT_EQ(zdbg(z, "spm_stored_pages"), dev_num(z, "stored_pages") - (held > 0 ? held : 0));

	check_data(_metadata, z, &r);
	EXPECT_EQ(stored, wait_for(cg_stat, z, "zswpin_spm", stored, EQ, STAT_MS));
	EXPECT_EQ(stored, cg_stat(z, "zswpin"));
	EXPECT_EQ(each, cg_stat(z, "swpin_zero"));
	EXPECT_LE(vin0 + stored, vm_event(z, "zswpin_spm"));
	EXPECT_EQ(spm0, zdbg(z, "spm_stored_pages"));
	EXPECT_EQ(charged0, zdbg(z, "spm_charged_bytes"));
	EXPECT_EQ(0, wait_for(cg_stat, z, "zswapped_spm", 0, EQ, STAT_MS));
	EXPECT_EQ(0, cg_num(z, "memory.zswap.current"));
}

/*
 * Under high pressure, entries the software pool may not take (the cgroup
 * is at memory.zswap.max) are written back to the swap disk.
 */
TEST_F_TIMEOUT(zspm, high_pressure_writes_back_when_pool_refuses, 180)
{
	struct zspm *z = &self->z;
	const long n = 256;
	long long wb0, rc0, vwb0;
	struct region r;

	ASSERT_EQ(0, region_mix(z, &r, n / 2, n / 2, 0x5eed0201));
	ASSERT_EQ(0, cg_enter(z));
	ASSERT_EQ(0, region_load(z, &r));
	store(_metadata, z, &r);
	ASSERT_EQ(n, wait_for(cg_stat, z, "zswpout_spm", n, EQ, STAT_MS));

	wb0 = zdbg(z, "spm_written_back");
	vwb0 = vm_event(z, "zswpwb_spm");
	rc0 = vm_event(z, "zswpspm_recompress");
	ASSERT_EQ(0, set_str(z->cg, "memory.zswap.max", "0"));
	ASSERT_EQ(0, inject(z, "high"));
	ASSERT_TRUE(level_is(z, "high", LEVEL_MS));

	EXPECT_EQ(n, wait_for(cg_stat, z, "zswpwb_spm", n, GE, VALVE_MS));
	EXPECT_EQ(n, cg_stat(z, "zswpwb"));
	EXPECT_EQ(0, cg_stat(z, "zswpspm_recompress"));
	EXPECT_EQ(rc0, vm_event(z, "zswpspm_recompress"));
	EXPECT_LE(vwb0 + n, vm_event(z, "zswpwb_spm"));
	EXPECT_LE(wb0 + n, zdbg(z, "spm_written_back"));
	EXPECT_EQ(0, wait_for(zdbg, z, "spm_stored_pages", 0, EQ, LEVEL_MS));
	EXPECT_EQ(0, wait_for(cg_stat, z, "zswapped_spm", 0, EQ, STAT_MS));
	EXPECT_EQ(0, cg_num(z, "memory.zswap.current"));

	ASSERT_EQ(0, inject(z, "off"));
	check_data(_metadata, z, &r);
	/* Read from the swap disk or its cache, not from zswap. */
	EXPECT_EQ(0, cg_stat(z, "zswpin"));
}

/*
 * Under high pressure, entries move into the software pool when it has
 * room: random pages become incompressible software entries, text does not.
 */
TEST_F_TIMEOUT(zspm, high_pressure_recompresses_into_pool, 180)
{
	struct zspm *z = &self->z;
	const long text = 128, random = 128, n = text + random;
	long long inc0, stored0, vwb0, rec0;
	struct region r;

	ASSERT_EQ(0, region_mix(z, &r, text, random, 0x5eed0301));
	ASSERT_EQ(0, cg_enter(z));
	ASSERT_EQ(0, region_load(z, &r));
	inc0 = zdbg(z, "stored_incompressible_pages");
	store(_metadata, z, &r);
	ASSERT_EQ(n, wait_for(cg_stat, z, "zswpout_spm", n, EQ, STAT_MS));
	/* Device entries are never incompressible ones. */
	EXPECT_EQ(0, cg_stat(z, "zswap_incomp"));
	EXPECT_EQ(inc0, zdbg(z, "stored_incompressible_pages"));

	stored0 = zdbg(z, "stored_pages");
	vwb0 = vm_event(z, "zswpwb_spm");
	rec0 = zdbg(z, "spm_recompressed");
	ASSERT_EQ(0, inject(z, "high"));
	ASSERT_TRUE(level_is(z, "high", LEVEL_MS));

	EXPECT_EQ(n, wait_for(cg_stat, z, "zswpspm_recompress", n, GE, VALVE_MS));
	EXPECT_EQ(0, wait_for(zdbg, z, "spm_stored_pages", 0, EQ, LEVEL_MS));
	EXPECT_LE(rec0 + n, zdbg(z, "spm_recompressed"));
	EXPECT_EQ(vwb0, vm_event(z, "zswpwb_spm"));
	EXPECT_EQ(0, cg_stat(z, "zswpwb"));
	/* The same entries, now in the pool. */
	EXPECT_EQ(stored0, zdbg(z, "stored_pages"));
	EXPECT_EQ(inc0 + random, zdbg(z, "stored_incompressible_pages"));
	EXPECT_EQ(0, wait_for(cg_stat, z, "zswapped_spm", 0, EQ, STAT_MS));
	EXPECT_EQ(n * z->page, cg_stat(z, "zswapped"));
	EXPECT_EQ(random * z->page, cg_stat(z, "zswap_incomp"));

	ASSERT_EQ(0, inject(z, "off"));
	check_data(_metadata, z, &r);
	EXPECT_EQ(n, wait_for(cg_stat, z, "zswpin", n, EQ, STAT_MS));
	EXPECT_EQ(0, cg_stat(z, "zswpin_spm"));
	EXPECT_EQ(inc0, zdbg(z, "stored_incompressible_pages"));
}

/*
 * With memory.zswap.writeback=0 and the pool closed to the cgroup, the
 * escape valve leaves its entries on the device: nothing reaches the disk.
 */
TEST_F_TIMEOUT(zspm, writeback_disabled_entries_stay_on_device, 180)
{
	struct zspm *z = &self->z;
	const long n = 256;
	long long runs0, vwb0, vrc0, spm;
	struct region r;

	ASSERT_EQ(0, region_mix(z, &r, n / 2, n / 2, 0x5eed0401));
	ASSERT_EQ(0, cg_enter(z));
	ASSERT_EQ(0, region_load(z, &r));
	store(_metadata, z, &r);
	ASSERT_EQ(n, wait_for(cg_stat, z, "zswpout_spm", n, EQ, STAT_MS));

	ASSERT_EQ(0, set_str(z->cg, "memory.zswap.writeback", "0"));
	ASSERT_EQ(0, set_str(z->cg, "memory.zswap.max", "0"));
	runs0 = zdbg(z, "spm_valve_runs");
	vwb0 = vm_event(z, "zswpwb_spm");
	vrc0 = vm_event(z, "zswpspm_recompress");
	spm = zdbg(z, "spm_stored_pages");
	ASSERT_EQ(0, inject(z, "high"));
	ASSERT_TRUE(level_is(z, "high", LEVEL_MS));

	/* The valve runs, about once a second while it gets nowhere. */
	EXPECT_LE(runs0 + 3, wait_for(zdbg, z, "spm_valve_runs", runs0 + 3, GE, VALVE_MS));
	EXPECT_EQ(vwb0, vm_event(z, "zswpwb_spm"));
	EXPECT_EQ(vrc0, vm_event(z, "zswpspm_recompress"));
	EXPECT_EQ(spm, zdbg(z, "spm_stored_pages"));
	EXPECT_EQ(0, cg_stat(z, "zswpwb"));
	EXPECT_EQ(0, cg_stat(z, "pswpout"));
	EXPECT_EQ(n * z->page, cg_stat(z, "zswapped_spm"));

	ASSERT_EQ(0, inject(z, "off"));
	ASSERT_TRUE(level_is(z, "none", LEVEL_MS));
	check_data(_metadata, z, &r);
	EXPECT_EQ(n, wait_for(cg_stat, z, "zswpin_spm", n, EQ, STAT_MS));
	EXPECT_EQ(spm - n, zdbg(z, "spm_stored_pages"));
}

/* swapoff brings every page back from the device; swap goes on again. */
TEST_F_TIMEOUT(zspm, swapoff_loads_device_entries, 180)
{
	struct zspm *z = &self->z;
	const long n = 256;
	long long spm0;
	struct region r;
	int rc;

	ASSERT_EQ(0, region_mix(z, &r, n / 2, n / 2, 0x5eed0501));
	spm0 = zdbg(z, "spm_stored_pages");
	ASSERT_EQ(0, cg_enter(z));
	ASSERT_EQ(0, region_load(z, &r));
	store(_metadata, z, &r);
	ASSERT_EQ(n, wait_for(cg_stat, z, "zswpout_spm", n, EQ, STAT_MS));
	ASSERT_EQ(spm0 + n, zdbg(z, "spm_stored_pages"));

	/* The teardown turns swap on again if the test does not get to it. */
	z->swapped_off = true;
	rc = swapoff(z->swapdev);
	ASSERT_EQ(0, rc) TH_LOG("swapoff %s: %s", z->swapdev, strerror(errno));
	EXPECT_FALSE(swap_active(z->swapdev));
	EXPECT_EQ(spm0, zdbg(z, "spm_stored_pages"));
	EXPECT_EQ(n, wait_for(cg_stat, z, "zswpin_spm", n, EQ, STAT_MS));
	EXPECT_EQ(r.pages, resident(r.data, r.pages * z->page, z->page));
	check_data(_metadata, z, &r);

	rc = swapon(z->swapdev, 0);
	ASSERT_EQ(0, rc) TH_LOG("swapon %s: %s", z->swapdev, strerror(errno));
	z->swapped_off = false;
	EXPECT_TRUE(swap_active(z->swapdev));
}

/*
 * spm_enabled=N stops new device stores only: a batch stored meanwhile goes
 * to the software pool, and entries already on the device load as before.
 */
TEST_F_TIMEOUT(zspm, backend_toggle_keeps_stored_entries, 180)
{
	struct zspm *z = &self->z;
	const long n = 192;
	long long spm0;
	struct region a, b;

	ASSERT_EQ(0, region_mix(z, &a, n * 2 / 3, n / 3, 0x5eed0601));
	ASSERT_EQ(0, region_mix(z, &b, n * 2 / 3, n / 3, 0x5eed0602));
	spm0 = zdbg(z, "spm_stored_pages");
	ASSERT_EQ(0, cg_enter(z));
	ASSERT_EQ(0, region_load(z, &a));
	ASSERT_EQ(0, region_load(z, &b));

	store(_metadata, z, &a);
	ASSERT_EQ(n, wait_for(cg_stat, z, "zswpout_spm", n, EQ, STAT_MS));
	ASSERT_EQ(0, spm_enable(false));
	store(_metadata, z, &b);
	EXPECT_EQ(2 * n, wait_for(cg_stat, z, "zswpout", 2 * n, EQ, STAT_MS));
	EXPECT_EQ(n, cg_stat(z, "zswpout_spm"));
	EXPECT_EQ(n * z->page, cg_stat(z, "zswapped_spm"));
	EXPECT_EQ(2 * n * z->page, cg_stat(z, "zswapped"));
	EXPECT_EQ(spm0 + n, zdbg(z, "spm_stored_pages"));

	/* Off, the device entries still load. */
	check_data(_metadata, z, &a);
	EXPECT_EQ(n, wait_for(cg_stat, z, "zswpin_spm", n, EQ, STAT_MS));
	EXPECT_EQ(spm0, zdbg(z, "spm_stored_pages"));
	ASSERT_EQ(0, spm_enable(true));
	check_data(_metadata, z, &b);
	EXPECT_EQ(2 * n, wait_for(cg_stat, z, "zswpin", 2 * n, EQ, STAT_MS));
	EXPECT_EQ(n, cg_stat(z, "zswpin_spm"));
}

/* What the worker of backend_toggled_under_load reports. */
struct load_report {
	int stop;
	long rounds;
	long pushed;
	long bad;
	long stuck;
};

/* Fill, push out and read back until told to stop. */
static int load_worker(struct zspm *z, struct load_report *rep)
{
	const long pages = 128;
	long first, bad;
	struct region r;
	uint64_t seed;

	if (region_init(z, &r, pages) || region_load(z, &r))
		return 2;
	while (!__atomic_load_n(&rep->stop, __ATOMIC_ACQUIRE)) {
		seed = 0x5eed0700 + rep->rounds;
		region_fill(z, &r, 0, pages / 2, TEXT, seed);
		region_fill(z, &r, pages / 2, pages / 2, RANDOM, seed);
		memcpy(r.data, r.copy, pages * z->page);
		if (push_out(z, r.data, pages * z->page, false))
			rep->stuck++;
		else
			rep->pushed += pages;
		bad = mismatches(z, &r, &first);
		rep->bad += bad;
		__atomic_store_n(&rep->rounds, rep->rounds + 1, __ATOMIC_RELEASE);
	}
	return rep->bad || rep->stuck ? 1 : 0;
}

/* @param flips while a process pushes pages out and reads them back. */
static void toggled_under_load(struct __test_metadata *_metadata, struct zspm *z,
			       const char *param)
{
	struct load_report *rep;
	int i, failed = 0, status;
	pid_t pid;

	rep = mmap(NULL, sizeof(*rep), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, rep);
	ASSERT_EQ(0, cg_enter(z));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(load_worker(z, rep));
	/* The worker keeps the test's CPU; the toggling runs beside it. */
	sched_setaffinity(0, sizeof(z->cpus), &z->cpus);
	/* No ASSERT until the worker is reaped. */
	for (i = 0; i < 50 || (__atomic_load_n(&rep->rounds, __ATOMIC_ACQUIRE) < 4 && i < 2000);
	     i++) {
		if (set_str(PARAM, param, i % 2 ? "Y" : "N"))
			failed++;
		usleep(20000);
	}
	if (set_str(PARAM, param, "Y"))
		failed++;
	__atomic_store_n(&rep->stop, 1, __ATOMIC_RELEASE);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ksft_print_msg("%d toggles, %ld rounds, %ld pages pushed out, %lld to the device\n",
		       i, rep->rounds, rep->pushed, cg_stat(z, "zswpout_spm"));
	EXPECT_EQ(0, failed) TH_LOG("%d writes to %s failed", failed, param);
	EXPECT_TRUE(WIFEXITED(status)) TH_LOG("the worker died of signal %d", WTERMSIG(status));
	EXPECT_NE(2, WEXITSTATUS(status)) TH_LOG("the worker could not set up");
	EXPECT_EQ(0, rep->bad) TH_LOG("%ld pages read back differ from what was written",
				      rep->bad);
	EXPECT_EQ(0, rep->stuck) TH_LOG("%ld rounds left pages resident", rep->stuck);
	EXPECT_LE(4, rep->rounds);
	EXPECT_EQ(rep->pushed, wait_for(cg_stat, z, "zswpout", rep->pushed, EQ, STAT_MS));
}

/*
 * spm_enabled flips about 50 times while a process pushes pages out and
 * reads them back: every page reads back as written, every write succeeds.
 */
TEST_F_TIMEOUT(zspm, backend_toggled_under_load, 240)
{
	toggled_under_load(_metadata, &self->z, "spm_enabled");
}

/*
 * A device at its critical watermark, or forced to the critical level,
 * admits nothing: zswap compresses the pages in software instead, and
 * counts the refusals.
 */
TEST_F_TIMEOUT(zspm, full_device_refuses_and_software_stores, 180)
{
	struct zspm *z = &self->z;
	const long n = 192, n2 = 64;
	long long crit, rej0, vrej0;
	struct region r, r2;
	char val[32];

	ASSERT_EQ(0, region_mix(z, &r, n * 2 / 3, n / 3, 0x5eed0801));
	ASSERT_EQ(0, region_mix(z, &r2, n2 / 2, n2 / 2, 0x5eed0802));
	crit = dev_num(z, "watermark_critical");
	ASSERT_LT(0, crit);
	rej0 = zdbg(z, "spm_reject_full");
	vrej0 = vm_event(z, "zswpspm_refuse_full");
	snprintf(val, sizeof(val), "%lld", crit);
	ASSERT_EQ(0, set_str(z->dbg, "inject_used_bytes", val));
	ASSERT_TRUE(level_is(z, "critical", LEVEL_MS));

	ASSERT_EQ(0, cg_enter(z));
	ASSERT_EQ(0, region_load(z, &r));
	ASSERT_EQ(0, region_load(z, &r2));
	store(_metadata, z, &r);
	EXPECT_EQ(n, wait_for(cg_stat, z, "zswpout", n, EQ, STAT_MS));
	EXPECT_EQ(0, cg_stat(z, "zswpout_spm"));
	EXPECT_EQ(n, cg_stat(z, "zswpspm_refuse_full"));
	EXPECT_EQ(0, cg_stat(z, "pswpout"));
	EXPECT_LE(rej0 + n, zdbg(z, "spm_reject_full"));
	EXPECT_LE(vrej0 + n, vm_event(z, "zswpspm_refuse_full"));
	EXPECT_EQ(0, cg_stat(z, "zswapped_spm"));

	ASSERT_EQ(0, set_str(z->dbg, "inject_used_bytes", "0"));
	ASSERT_EQ(0, inject(z, "critical"));
	ASSERT_TRUE(level_is(z, "critical", LEVEL_MS));
	store(_metadata, z, &r2);
	EXPECT_EQ(n + n2, wait_for(cg_stat, z, "zswpout", n + n2, EQ, STAT_MS));
	EXPECT_EQ(0, cg_stat(z, "zswpout_spm"));
	EXPECT_EQ(n + n2, cg_stat(z, "zswpspm_refuse_full"));

	ASSERT_EQ(0, inject(z, "off"));
	ASSERT_EQ(0, settle(z));
	check_data(_metadata, z, &r);
	check_data(_metadata, z, &r2);
	EXPECT_EQ(n + n2, wait_for(cg_stat, z, "zswpin", n + n2, EQ, STAT_MS));
	EXPECT_EQ(0, cg_stat(z, "zswpin_spm"));
}

/*
 * memory.zswap.max bounds what a cgroup's device entries are charged; what
 * does not fit goes to the swap disk.
 */
TEST_F_TIMEOUT(zspm, zswap_max_caps_device_entries, 180)
{
	struct zspm *z = &self->z;
	const long n = 512, max = 64 * KIB;
	long long cur;
	struct region r;
	long left;

	ASSERT_EQ(0, region_init(z, &r, n));
	region_fill(z, &r, 0, n, TEXT, 0x5eed0901);
	ASSERT_EQ(0, set_str(z->cg, "memory.zswap.max", "65536"));
	ASSERT_EQ(0, cg_enter(z));
	ASSERT_EQ(0, region_load(z, &r));

	left = push_out(z, r.data, n * z->page, true);
	EXPECT_GE(n / 100, left) TH_LOG("%ld of %ld pages still resident", left, n);
	EXPECT_LT(0, wait_for(cg_stat, z, "zswpout_spm", 1, GE, STAT_MS));
	EXPECT_LT(0, wait_for(cg_stat, z, "pswpout", 1, GE, STAT_MS));
	/* The limit's writeback finds the device entries, on their own LRU. */
	EXPECT_LT(0, wait_for(cg_stat, z, "zswpwb_spm", 1, GE, STAT_MS));
	/* Let the periodic flush bring memory.zswap.current up to date. */
	usleep(2500000);
	cur = cg_num(z, "memory.zswap.current");
	EXPECT_LE(0, cur);
	EXPECT_GE(max + z->page, cur) TH_LOG("memory.zswap.current %lld, memory.zswap.max %ld",
					     cur, max);
	EXPECT_GE(max + z->page, cg_stat(z, "zswap"));
	ksft_print_msg("zswap.current %lld, %lld pages on the device; zswpout %lld",
		       cur, cg_stat(z, "zswapped_spm") / z->page, cg_stat(z, "zswpout"));
	printf(" (device %lld), zswpwb_spm %lld, pswpout %lld\n", cg_stat(z, "zswpout_spm"),
	       cg_stat(z, "zswpwb_spm"), cg_stat(z, "pswpout"));
	check_data(_metadata, z, &r);
}

/*
 * A process whose memory is three times its cgroup's memory.max runs to
 * completion: reclaim makes progress with the backend on, whatever the
 * content.  Returns the pages the cgroup stored on the device.
 */
static long long reclaim_at_memory_max(struct __test_metadata *_metadata, struct zspm *z,
				       enum content kind, uint64_t seed)
{
	const long bytes = 48 * MIB;
	long pages = bytes / z->page, i, bad;
	struct timespec t0, t1;
	struct region r;
	int status;
	pid_t pid;

	if (region_init(z, &r, pages))
		return -1;
	region_fill(z, &r, 0, pages, kind, seed);
	EXPECT_EQ(0, set_str(z->cg, "memory.max", "16M"));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		if (cg_enter(z) || region_load(z, &r))
			_exit(2);
		for (i = 0, bad = 0; i < pages; i++)
			bad += !!memcmp(r.data + i * z->page, r.copy + i * z->page, z->page);
		_exit(bad ? 1 : 0);
	}
	EXPECT_EQ(pid, waitpid(pid, &status, 0));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ksft_print_msg("%.1f s: zswpout %lld (device %lld, refused %lld), zswpin %lld (dev %lld)",
		       t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9,
		       cg_stat(z, "zswpout"), cg_stat(z, "zswpout_spm"),
		       cg_stat(z, "zswpspm_refuse_full"),
		       cg_stat(z, "zswpin"), cg_stat(z, "zswpin_spm"));
	printf(", pswpout %lld, oom %lld\n", cg_stat(z, "pswpout"), cg_event(z, "oom"));
	EXPECT_EQ(0, cg_event(z, "oom_kill"));
	EXPECT_TRUE(WIFEXITED(status)) TH_LOG("the worker died of signal %d", WTERMSIG(status));
	EXPECT_EQ(0, WEXITSTATUS(status))
		TH_LOG("the worker %s", WEXITSTATUS(status) == 1 ?
		       "read back pages that differ from what it wrote" : "could not set up");
	return wait_for(cg_stat, z, "zswpout_spm", 1, GE, STAT_MS);
}

/* Text-like data goes to the device, and the cgroup makes progress. */
TEST_F_TIMEOUT(zspm, reclaim_progresses_at_memory_max, 300)
{
	EXPECT_LT(0, reclaim_at_memory_max(_metadata, &self->z, DENSE_TEXT, 0x5eed0a01));
}

/*
 * Data that does not compress: once the device has seen it, the device
 * refuses new pages (each would be charged nearly a full page), and they
 * take zswap's software path as without the backend: kept as they are,
 * and written back to the swap device when the cgroup reaches its
 * memory.zswap.max.  The cgroup makes progress, and the device takes only
 * what came before its first reading.
 */
TEST_F_TIMEOUT(zspm, reclaim_progresses_at_memory_max_incompressible, 300)
{
	struct zspm *z = &self->z;
	const long pages = 48 * MIB / z->page;

	ASSERT_EQ(0, set_str(z->cg, "memory.zswap.max", "8M"));
	EXPECT_LE(0, reclaim_at_memory_max(_metadata, z, RANDOM, 0x5eed0a02));
	EXPECT_LT(pages / 2, cg_stat(z, "zswpspm_refuse_full"));
	EXPECT_GT(pages / 4, cg_stat(z, "zswpout_spm"))
		TH_LOG("the device took %lld of %ld pages that do not compress",
		       cg_stat(z, "zswpout_spm"), pages);
	/* Written back, or rejected at the limit: on the swap device. */
	EXPECT_LT(0, cg_stat(z, "pswpout"));
}

/*
 * Device entries count in zswapped and zswapped_spm, never in zswap_incomp;
 * memory.zswap.current charges them what the device's ratio says they take.
 */
TEST_F_TIMEOUT(zspm, device_entries_counted_and_charged_by_ratio, 240)
{
	struct zspm *z = &self->z;
	const long nrand = 32, nwarm = 64, ntext = 256, chunk = 32;
	long long inc0, charged0, cur, c0, delta, spm0, held;
	struct region rnd, warm, text;
	int ratio;
	long i;

	ASSERT_EQ(0, region_init(z, &rnd, nrand));
	region_fill(z, &rnd, 0, nrand, RANDOM, 0x5eed0b01);
	ASSERT_EQ(0, region_init(z, &warm, nwarm));
	region_fill(z, &warm, 0, nwarm, TEXT, 0x5eed0b02);
	ASSERT_EQ(0, region_init(z, &text, ntext));
	region_fill(z, &text, 0, ntext, TEXT, 0x5eed0b03);
	inc0 = zdbg(z, "stored_incompressible_pages");
	charged0 = zdbg(z, "spm_charged_bytes");
	spm0 = zdbg(z, "spm_stored_pages");
	ASSERT_LE(0, charged0);
	ASSERT_EQ(0, cg_enter(z));
	ASSERT_EQ(0, region_load(z, &rnd));
	ASSERT_EQ(0, region_load(z, &warm));
	ASSERT_EQ(0, region_load(z, &text));

	/*
	 * A first batch of text gives the device a ratio, which some random
	 * pages keep above the 1.25x the device must reach to take pages.
	 */
	ASSERT_EQ(0, settle(z));
	store(_metadata, z, &warm);
	ASSERT_EQ(0, settle(z));
	c0 = zdbg(z, "spm_charged_bytes") - charged0;

	/* Random pages on the device are not incompressible entries. */
	store(_metadata, z, &rnd);
	ASSERT_EQ(nwarm + nrand, wait_for(cg_stat, z, "zswpout_spm", nwarm + nrand, EQ,
					  STAT_MS));
	EXPECT_EQ(0, cg_stat(z, "zswap_incomp"));
	EXPECT_EQ(inc0, zdbg(z, "stored_incompressible_pages"));
	EXPECT_EQ((nwarm + nrand) * z->page, cg_stat(z, "zswapped_spm"));
	EXPECT_EQ((nwarm + nrand) * z->page, cg_stat(z, "zswapped"));
	cur = zdbg(z, "spm_charged_bytes") - charged0;
	EXPECT_EQ(cur, wait_for(cg_num, z, "memory.zswap.current", cur, EQ, STAT_MS));
	EXPECT_EQ(cur, cg_stat(z, "zswap"));
	/* The pool's size counts the device entries at their charge. */
	EXPECT_LE((zdbg(z, "spm_charged_bytes") + z->page - 1) / z->page * z->page,
		  zdbg(z, "pool_total_size"));
	check_data(_metadata, z, &rnd);
	/* Readahead may have brought some of the text in as well. */
	ASSERT_EQ(0, settle(z));
	c0 = zdbg(z, "spm_charged_bytes") - charged0;
	EXPECT_EQ(c0, wait_for(cg_num, z, "memory.zswap.current", c0, EQ, STAT_MS));

	/* Each further page is charged by the ratio at its store. */
	for (i = 0; i < ntext; i += chunk) {
		ASSERT_EQ(0, push_out(z, text.data + i * z->page, chunk * z->page, false));
		ASSERT_EQ(0, settle(z));
	}
	ratio = ratio_x100(z);
	cur = zdbg(z, "spm_charged_bytes") - charged0;
	EXPECT_EQ(cur, wait_for(cg_num, z, "memory.zswap.current", cur, EQ, STAT_MS));
	/* All of it, but what readahead brought in with the random pages. */
	held = (zdbg(z, "spm_stored_pages") - spm0) * z->page;
	EXPECT_LE((nwarm / 2 + ntext) * z->page, held);
	EXPECT_EQ(held, wait_for(cg_stat, z, "zswapped_spm", held, EQ, STAT_MS));
	EXPECT_EQ(0, cg_stat(z, "zswap_incomp"));
	delta = cur - c0;
	ksft_print_msg("%ld text pages charged %lld bytes, device ratio %d.%02d\n",
		       ntext, delta, ratio / 100, ratio % 100);
	/* Text is not 8x compressible: a charge that small is wrong. */
	EXPECT_LE(ntext * z->page / 8, delta);
	if (ratio >= 150) {
		EXPECT_GT(ntext * z->page * 3 / 4, delta)
			TH_LOG("%ld pages charged %lld bytes with the device at %d.%02d",
			       ntext, delta, ratio / 100, ratio % 100);
	} else {
		ksft_print_msg("device ratio %d.%02d: the charge by ratio is not checked\n",
			       ratio / 100, ratio % 100);
	}
	check_data(_metadata, z, &warm);
	check_data(_metadata, z, &text);
}

/* Writing anything but a boolean to spm_enabled fails and changes nothing. */
TEST_F_TIMEOUT(zspm, spm_enabled_rejects_bad_input, 60)
{
	/* kstrtobool() reads the first character (two for "on"/"off"). */
	static const char * const bad[] = { "maybe", "\n", "2", "-1", "sure", "o" };
	static const char * const start[] = { "N", "Y" };
	char buf[16], path[128];
	int i, j, rc, fd;

	for (i = 0; i < ARRAY_SIZE(start); i++) {
		ASSERT_EQ(0, set_str(PARAM, "spm_enabled", start[i]));
		for (j = 0; j < ARRAY_SIZE(bad); j++) {
			rc = set_str(PARAM, "spm_enabled", bad[j]);
			EXPECT_EQ(-EINVAL, rc) TH_LOG("writing \"%s\": %s", bad[j], strerror(-rc));
			ASSERT_EQ(0, get_str(PARAM, "spm_enabled", buf, sizeof(buf)));
			EXPECT_STREQ(start[i], buf) TH_LOG("after writing \"%s\"", bad[j]);
		}
		/* A write of no bytes never reaches the parameter. */
		snprintf(path, sizeof(path), "%sspm_enabled", PARAM);
		fd = open(path, O_WRONLY);
		ASSERT_LE(0, fd);
		EXPECT_EQ(0, write(fd, "", 0));
		close(fd);
		ASSERT_EQ(0, get_str(PARAM, "spm_enabled", buf, sizeof(buf)));
		EXPECT_STREQ(start[i], buf);
	}
	/* The booleans kstrtobool() takes do work. */
	EXPECT_EQ(0, set_str(PARAM, "spm_enabled", "0"));
	ASSERT_EQ(0, get_str(PARAM, "spm_enabled", buf, sizeof(buf)));
	EXPECT_STREQ("N", buf);
	EXPECT_EQ(0, set_str(PARAM, "spm_enabled", "on"));
	ASSERT_EQ(0, get_str(PARAM, "spm_enabled", buf, sizeof(buf)));
	EXPECT_STREQ("Y", buf);
}

/*
 * A device that goes away (its CXL region is unbound, which the driver cannot
 * refuse) takes no data with it: before its memory goes, every entry on it
 * moves into the software pool, past memory.zswap.max.
 */
TEST_F_TIMEOUT(zspm, device_removal_evacuates_entries, 240)
{
	struct zspm *z = &self->z;
	long long evac0, recomp0, wb0, incomp0, nodev0;
	const long n = 256;
	struct region r;
	int rc;

	ASSERT_EQ(0, find_region(z)) TH_LOG("no CXL region under %s", z->dax);
	ASSERT_EQ(0, region_mix(z, &r, n / 2, n / 2, 0x5eed0c01));
	ASSERT_EQ(0, cg_enter(z));
	ASSERT_EQ(0, region_load(z, &r));
	store(_metadata, z, &r);
	ASSERT_EQ(n, wait_for(cg_stat, z, "zswpout_spm", n, EQ, STAT_MS));
	ASSERT_LE(n, zdbg(z, "spm_stored_pages"));
	evac0 = zdbg(z, "spm_evacuated");
	recomp0 = zdbg(z, "spm_recompressed");
	wb0 = zdbg(z, "spm_written_back");
	incomp0 = zdbg(z, "stored_incompressible_pages");
	ASSERT_EQ(0, set_str(z->cg, "memory.zswap.max", "0"));

	/* The teardown binds the region again if the test does not get to it. */
	z->removed = true;
	rc = write_file(CXL_REGION_DRV "unbind", z->region);
	ASSERT_EQ(0, rc) TH_LOG("unbinding %s: %s", z->region, strerror(-rc));
	EXPECT_NE(0, access(z->sys, F_OK)) TH_LOG("%s is still bound", z->dax);
	EXPECT_EQ(0, zdbg(z, "spm_stored_pages"));
	EXPECT_LE(evac0 + n, zdbg(z, "spm_evacuated"));
	EXPECT_LE(recomp0 + n, zdbg(z, "spm_recompressed"));
	EXPECT_EQ(wb0, zdbg(z, "spm_written_back"));
	/* The random half went into the pool as it is: incompressible. */
	EXPECT_LE(incomp0 + n / 2, zdbg(z, "stored_incompressible_pages"));
	EXPECT_EQ(n, wait_for(cg_stat, z, "zswpspm_recompress", n, EQ, STAT_MS));
	EXPECT_EQ(0, wait_for(cg_stat, z, "zswapped_spm", 0, EQ, STAT_MS));
	check_data(_metadata, z, &r);

	/*
	 * With no device bound, stores do not try one: software as if the
	 * backend were off, and no refusal counted.
	 */
	nodev0 = vm_event(z, "zswpspm_refuse_nodev");
	ASSERT_EQ(0, set_str(z->cg, "memory.zswap.max", "max"));
	store(_metadata, z, &r);
	EXPECT_EQ(2 * n, wait_for(cg_stat, z, "zswpout", 2 * n, EQ, STAT_MS));
	EXPECT_EQ(n, cg_stat(z, "zswpout_spm"));
	EXPECT_EQ(nodev0, vm_event(z, "zswpspm_refuse_nodev"));
	check_data(_metadata, z, &r);

	rc = device_restore(z);
	ASSERT_EQ(0, rc) TH_LOG("restoring %s: %s", z->dax, strerror(-rc));
	z->removed = false;
}

/* Push @r out; returns how many of its pages went to the device. */
static long long stored_on_device(struct __test_metadata *_metadata, struct zspm *z,
				  struct region *r, long long out0)
{
	store(_metadata, z, r);
	wait_for(cg_stat, z, "zswpout", out0 + r->pages, EQ, STAT_MS);
	return cg_stat(z, "zswpout_spm");
}

/*
 * A device at high pressure, which the escape valve empties, admits no
 * store until its level falls below high by the hysteresis: pages stored
 * meanwhile are compressed in software and counted as refused.
 */
TEST_F_TIMEOUT(zspm, stores_stop_at_high_until_below, 180)
{
	struct zspm *z = &self->z;
	long long high, hyst, used, phys, refused0;
	const long n = 64;
	struct region a, b, c;
	char val[32];

	ASSERT_EQ(0, region_mix(z, &a, n / 2, n / 2, 0x5eed1201));
	ASSERT_EQ(0, region_mix(z, &b, n / 2, n / 2, 0x5eed1202));
	ASSERT_EQ(0, region_mix(z, &c, n / 2, n / 2, 0x5eed1203));
	high = dev_num(z, "watermark_high");
	phys = dev_num(z, "physical_bytes");
	used = dev_num(z, "physical_used_bytes");
	ASSERT_LT(0, high);
	/* The driver's hysteresis: 2% of physical_bytes, in whole pages. */
	hyst = phys * 2 / 100 / z->page * z->page;
	ASSERT_GT(hyst / 4, used) TH_LOG("the device is not empty: %lld bytes used", used);
	ASSERT_EQ(0, cg_enter(z));
	ASSERT_EQ(0, region_load(z, &a));
	ASSERT_EQ(0, region_load(z, &b));
	ASSERT_EQ(0, region_load(z, &c));
	refused0 = vm_event(z, "zswpspm_refuse_full");

	/* At the high watermark: refused. */
	snprintf(val, sizeof(val), "%lld", high - used);
	ASSERT_EQ(0, set_str(z->dbg, "inject_used_bytes", val));
	ASSERT_TRUE(level_is(z, "high", LEVEL_MS));
	EXPECT_EQ(0, stored_on_device(_metadata, z, &a, 0));
	EXPECT_EQ(n, wait_for(cg_stat, z, "zswpspm_refuse_full", n, EQ, STAT_MS));
	EXPECT_LE(refused0 + n, vm_event(z, "zswpspm_refuse_full"));

	/* Below it, but within the hysteresis: still high, still refused. */
	snprintf(val, sizeof(val), "%lld", high - used - hyst / 2);
	ASSERT_EQ(0, set_str(z->dbg, "inject_used_bytes", val));
	EXPECT_TRUE(level_is(z, "high", 0));
	EXPECT_EQ(0, stored_on_device(_metadata, z, &b, n));

	/* Past the hysteresis: stores go to the device again. */
	snprintf(val, sizeof(val), "%lld", high - hyst - hyst / 2);
	ASSERT_EQ(0, set_str(z->dbg, "inject_used_bytes", val));
	ASSERT_TRUE(level_is(z, "low", LEVEL_MS));
	EXPECT_EQ(n, stored_on_device(_metadata, z, &c, 2 * n));

	ASSERT_EQ(0, set_str(z->dbg, "inject_used_bytes", "0"));
	check_data(_metadata, z, &a);
	check_data(_metadata, z, &b);
	check_data(_metadata, z, &c);
}

/*
 * Device entries are not in any compressed pool: switching zswap's
 * compressor leaves them loading as before, beside software entries of
 * both pools.  With the pool limit reached (max_pool_percent 0), new pages
 * go to the swap device and the limit's writeback may take device entries
 * too; everything reads back as written.
 */
TEST_F_TIMEOUT(zspm, compressor_switch_and_pool_limit_with_device_entries, 240)
{
	struct zspm *z = &self->z;
	struct region a, b, c, d;
	const long n = 128;

	ASSERT_EQ(0, region_mix(z, &a, n / 2, n / 2, 0x5eed1501));
	ASSERT_EQ(0, region_mix(z, &b, n / 2, n / 2, 0x5eed1502));
	ASSERT_EQ(0, region_mix(z, &c, n / 2, n / 2, 0x5eed1503));
	ASSERT_EQ(0, region_mix(z, &d, n / 2, n / 2, 0x5eed1504));
	ASSERT_EQ(0, cg_enter(z));
	ASSERT_EQ(0, region_load(z, &a));
	ASSERT_EQ(0, region_load(z, &b));
	ASSERT_EQ(0, region_load(z, &c));
	ASSERT_EQ(0, region_load(z, &d));

	store(_metadata, z, &a);
	ASSERT_EQ(n, wait_for(cg_stat, z, "zswpout_spm", n, EQ, STAT_MS));
	/* Software entries in the lz4 pool, then the compressor changes. */
	ASSERT_EQ(0, spm_enable(false));
	store(_metadata, z, &b);
	ASSERT_EQ(0, set_str(PARAM, "compressor", "zstd"));
	store(_metadata, z, &c);
	ASSERT_EQ(0, spm_enable(true));
	EXPECT_EQ(3 * n, wait_for(cg_stat, z, "zswpout", 3 * n, EQ, STAT_MS));
	check_data(_metadata, z, &a);
	EXPECT_EQ(n, wait_for(cg_stat, z, "zswpin_spm", n, EQ, STAT_MS));
	check_data(_metadata, z, &b);
	check_data(_metadata, z, &c);
	EXPECT_EQ(3 * n, wait_for(cg_stat, z, "zswpin", 3 * n, EQ, STAT_MS));

	/* Device entries in place, then no room left in the pool. */
	store(_metadata, z, &a);
	ASSERT_EQ(2 * n, wait_for(cg_stat, z, "zswpout_spm", 2 * n, EQ, STAT_MS));
	ASSERT_EQ(0, set_str(PARAM, "max_pool_percent", "0"));
	EXPECT_EQ(0, push_out(z, d.data, n * z->page, true));
	EXPECT_LT(0, wait_for(cg_stat, z, "pswpout", 1, GE, STAT_MS));
	EXPECT_EQ(2 * n, cg_stat(z, "zswpout_spm"));
	ASSERT_EQ(0, set_str(PARAM, "max_pool_percent", "20"));
	check_data(_metadata, z, &a);
	check_data(_metadata, z, &d);
}

/*
 * Thousands of software entries older than the device entries: the escape
 * valve moves the device entries at once, touching no software entry,
 * because it walks the device entries' own LRU.
 */
TEST_F_TIMEOUT(zspm, valve_skips_older_software_entries, 240)
{
	struct zspm *z = &self->z;
	const long sw = 4096, dev = 256;
	long long stored0;
	struct region a, b;

	ASSERT_EQ(0, region_init(z, &a, sw));
	region_fill(z, &a, 0, sw, TEXT, 0x5eed1001);
	ASSERT_EQ(0, region_mix(z, &b, dev / 2, dev / 2, 0x5eed1002));
	ASSERT_EQ(0, cg_enter(z));
	ASSERT_EQ(0, region_load(z, &a));
	ASSERT_EQ(0, region_load(z, &b));
	ASSERT_EQ(0, spm_enable(false));
	store(_metadata, z, &a);
	ASSERT_EQ(sw, wait_for(cg_stat, z, "zswpout", sw, EQ, STAT_MS));
	ASSERT_EQ(0, spm_enable(true));
	store(_metadata, z, &b);
	ASSERT_EQ(dev, wait_for(cg_stat, z, "zswpout_spm", dev, EQ, STAT_MS));
	stored0 = zdbg(z, "stored_pages");

	ASSERT_EQ(0, inject(z, "high"));
	ASSERT_TRUE(level_is(z, "high", LEVEL_MS));
	/* A pass moves 256: a few seconds, not one pass a second past 4096. */
	EXPECT_EQ(dev, wait_for(cg_stat, z, "zswpspm_recompress", dev, GE, 20000));
	EXPECT_EQ(0, wait_for(cg_stat, z, "zswapped_spm", 0, EQ, STAT_MS));
	EXPECT_EQ(0, cg_stat(z, "zswpwb"));
	EXPECT_EQ(stored0, zdbg(z, "stored_pages"));
	ASSERT_EQ(0, inject(z, "off"));

	check_data(_metadata, z, &b);
	check_data(_metadata, z, &a);
	EXPECT_EQ(sw + dev, wait_for(cg_stat, z, "zswpin", sw + dev, EQ, STAT_MS));
}

/*
 * With the zswap shrinker on, shrinking every cgroup's slab as global
 * reclaim does (drop_caches) writes software entries back, and leaves the
 * device entries where they are: writing one back frees next to no DRAM.
 */
TEST_F_TIMEOUT(zspm, shrinker_leaves_device_entries, 240)
{
	struct zspm *z = &self->z;
	const long sw = 512, dev = 256;
	struct region a, b;
	int i;

	ASSERT_EQ(0, region_init(z, &a, sw));
	region_fill(z, &a, 0, sw, TEXT, 0x5eed1101);
	ASSERT_EQ(0, region_mix(z, &b, dev / 2, dev / 2, 0x5eed1102));
	ASSERT_EQ(0, cg_enter(z));
	ASSERT_EQ(0, region_load(z, &a));
	ASSERT_EQ(0, region_load(z, &b));
	ASSERT_EQ(0, spm_enable(false));
	store(_metadata, z, &a);
	ASSERT_EQ(0, spm_enable(true));
	store(_metadata, z, &b);
	ASSERT_EQ(dev, wait_for(cg_stat, z, "zswpout_spm", dev, EQ, STAT_MS));
	ASSERT_EQ(sw + dev, wait_for(cg_stat, z, "zswpout", sw + dev, EQ, STAT_MS));

	ASSERT_EQ(0, set_str(PARAM, "shrinker_enabled", "Y"));
	/* Twice at least: the first pass takes the entries' second chance. */
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, write_file("/proc/sys/vm/drop_caches", "2"));
	EXPECT_LT(0, wait_for(cg_stat, z, "zswpwb", 1, GE, STAT_MS))
		TH_LOG("the shrinker wrote nothing back: the test proves nothing");
	EXPECT_EQ(0, cg_stat(z, "zswpwb_spm"));
	EXPECT_EQ(dev * z->page, cg_stat(z, "zswapped_spm"));
	ASSERT_EQ(0, set_str(PARAM, "shrinker_enabled", "N"));

	check_data(_metadata, z, &b);
	EXPECT_EQ(dev, wait_for(cg_stat, z, "zswpin_spm", dev, EQ, STAT_MS));
	check_data(_metadata, z, &a);
}

/* Node @nid's MemTotal - MemFree, bytes, from its meminfo; -1 on error. */
static long long node_used_bytes(int nid)
{
	char path[96], buf[4096], *t, *f;

	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/meminfo", nid);
	if (read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	t = strstr(buf, "MemTotal:");
	f = strstr(buf, "MemFree:");
	if (!t || !f)
		return -1;
	return (strtoll(t + 9, NULL, 10) - strtoll(f + 8, NULL, 10)) * KIB;
}

/*
 * Once a workload's entries are all freed, the device is empty again in
 * bounded time, scrubbed by Media Operations where it can: no page held,
 * none pending, its physical usage and its node's used memory back to what
 * quarantined pages (if any) keep; no page waits on a per-CPU list.
 */
TEST_F_TIMEOUT(zspm, device_empties_after_workload, 240)
{
	struct zspm *z = &self->z;
	long long quarantined, used = -1, mem = -1;
	char was[16] = "", now[16] = "?", dir[64];
	const long n = 512;
	struct region r;
	int nid, ms;

	snprintf(dir, sizeof(dir), DAX "%s/", z->dax);
	nid = get_num(dir, "target_node");
	ASSERT_LE(0, nid);
	quarantined = dev_num(z, "poisoned_pages");
	ASSERT_LE(0, quarantined);
	ASSERT_EQ(0, get_str(z->sys, "scrub", was, sizeof(was)));
	/* QEMU's device zeroes pages itself, if slowly. */
	set_str(z->sys, "scrub", "media");
	ASSERT_EQ(0, region_mix(z, &r, n / 2, n / 2, 0x5eed1301));
	ASSERT_EQ(0, cg_enter(z));
	ASSERT_EQ(0, region_load(z, &r));
	store(_metadata, z, &r);
	ASSERT_LT(0, wait_for(cg_stat, z, "zswpout_spm", 1, GE, STAT_MS));
	check_data(_metadata, z, &r);
	ASSERT_EQ(0, munmap(r.data, n * z->page));

	EXPECT_EQ(0, wait_for(dev_num, z, "stored_pages", 0, EQ, LEVEL_MS));
	for (ms = 0; ms < 60000; ms += 500) {
		settle(z);
		used = dev_num(z, "physical_used_bytes");
		mem = node_used_bytes(nid);
		if (used <= quarantined * z->page && mem <= (quarantined + 16) * z->page)
			break;
		usleep(500000);
	}
	EXPECT_EQ(0, dev_num(z, "pending_pages"));
	EXPECT_GE(quarantined * z->page, used)
		TH_LOG("the device still uses %lld bytes", used);
	EXPECT_GE((quarantined + 16) * z->page, mem)
		TH_LOG("node %d still has %lld bytes in use", nid, mem);
	get_str(z->sys, "scrub", now, sizeof(now));
	ksft_print_msg("empty after %d ms (scrub by %s)\n", ms, now);
	if (was[0])
		set_str(z->sys, "scrub", was);
}

/*
 * A page that cannot be read when zswap copies it to the device (a memory
 * error in DRAM, here injected) is neither stored nor written to the swap
 * disk: reclaim keeps it, and a later push stores it once it reads.
 */
TEST_F_TIMEOUT(zspm, unreadable_page_neither_stored_nor_written, 180)
{
	struct zspm *z = &self->z;
	const long n = 64, bad = 8;
	long long refused0;
	struct region r;

	if (!fault_injection())
		SKIP(return, "no %sfail_spm_store: kernel without CONFIG_FAULT_INJECTION_DEBUG_FS",
		     ZDBG);
	ASSERT_EQ(0, region_mix(z, &r, n / 2, n / 2, 0x5eed0d01));
	ASSERT_EQ(0, cg_enter(z));
	ASSERT_EQ(0, region_load(z, &r));
	refused0 = vm_event(z, "zswpspm_refuse_copy");

	ASSERT_EQ(0, fail_next("fail_spm_store", bad));
	ASSERT_EQ(0, madvise(r.data, n * z->page, MADV_PAGEOUT));
	EXPECT_EQ(bad, resident(r.data, n * z->page, z->page));
	EXPECT_EQ(bad, wait_for(cg_stat, z, "zswpspm_refuse_copy", bad, EQ, STAT_MS));
	EXPECT_EQ(refused0 + bad, vm_event(z, "zswpspm_refuse_copy"));
	EXPECT_EQ(n - bad, wait_for(cg_stat, z, "zswpout_spm", n - bad, EQ, STAT_MS));
	EXPECT_EQ(0, cg_stat(z, "pswpout")) TH_LOG("pages zswap could not read went to the disk");

	/*
	 * The kept pages are intact.  Reclaim unmapped them, and
	 * MADV_PAGEOUT only sees mapped pages: read them all back first.
	 * The injection is spent: now they read, and go.
	 */
	check_data(_metadata, z, &r);
	store(_metadata, z, &r);
	EXPECT_EQ(2 * n - bad, wait_for(cg_stat, z, "zswpout_spm", 2 * n - bad, EQ, STAT_MS));
	EXPECT_EQ(0, cg_stat(z, "pswpout"));
	check_data(_metadata, z, &r);
}

/*
 * Large folios are stored page by page: a folio whose store the device
 * stops admitting partway is split between the device and the software
 * pool; a folio one of whose pages cannot be read is stored nowhere (its
 * pages already stored are given back) and stays in memory, unwritten.
 */
TEST_F_TIMEOUT(zspm, large_folios_split_and_roll_back, 180)
{
	struct zspm *z = &self->z;
	const long fp = 16, folio = fp * 4096;
	long long out0, high, used, spm0, copy0;
	char was[32] = "", val[32];
	char *raw, *p, *copy;
	long i;

	if (!fault_injection())
		SKIP(return, "no zswap fault injection (CONFIG_FAULT_INJECTION_DEBUG_FS)");
	if (z->page != 4096 || get_str(MTHP, "enabled", was, sizeof(was)))
		SKIP(return, "no 64 KiB anonymous folios (%senabled)", MTHP);
	/* "always [inherit] madvise never": keep the selected word. */
	if (strchr(was, '['))
		sscanf(strchr(was, '[') + 1, "%31[^]]", was);
	snprintf(z->mthp_was, sizeof(z->mthp_was), "%s", was);
	ASSERT_EQ(0, set_str(MTHP, "enabled", "always"));
	raw = mmap(NULL, 3 * folio, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	copy = map_pages(2 * folio);
	ASSERT_NE(MAP_FAILED, raw);
	ASSERT_NE(NULL, copy);
	for (i = 0; i < 2 * fp; i++)
		fill_page(copy + i * z->page, z->page, TEXT, 0x5eed1401, i);
	ASSERT_EQ(0, cg_enter(z));
	p = (char *)(((uintptr_t)raw + folio - 1) & ~(uintptr_t)(folio - 1));
	out0 = get_num(MTHP "stats/", "zswpout");
	memcpy(p, copy, 2 * folio);

	/*
	 * The device admits 8 more pages, then reaches high: a split folio.
	 * No telemetry reading may come in between: a slow period.
	 */
	if (!get_str(z->sys, "model_telemetry_ms", z->period_was, sizeof(z->period_was)))
		ASSERT_EQ(0, set_str(z->sys, "model_telemetry_ms", "5000"));
	ASSERT_EQ(0, settle(z));
	high = dev_num(z, "watermark_high");
	used = dev_num(z, "used_bound_bytes");
	snprintf(val, sizeof(val), "%lld", high - used - 8 * z->page);
	ASSERT_EQ(0, set_str(z->dbg, "inject_used_bytes", val));
	ASSERT_EQ(0, madvise(p, folio, MADV_PAGEOUT));
	if (get_num(MTHP "stats/", "zswpout") <= out0)
		SKIP(return, "no 64 KiB folio was swapped out whole (swap device or fault path)");
	EXPECT_EQ(fp, wait_for(cg_stat, z, "zswpout", fp, EQ, STAT_MS));
	EXPECT_EQ(8, cg_stat(z, "zswpout_spm"));
	EXPECT_EQ(fp - 8, cg_stat(z, "zswpspm_refuse_full"));
	ASSERT_EQ(0, set_str(z->dbg, "inject_used_bytes", "0"));
	ASSERT_EQ(0, settle(z));
	/* The valve, which high woke, has stopped moving entries. */
	ASSERT_TRUE(level_is(z, "none", LEVEL_MS) || level_is(z, "low", 0));
	usleep(1500000);

	/* The 5th page of the next folio cannot be read: all or nothing. */
	spm0 = zdbg(z, "spm_stored_pages");
	copy0 = vm_event(z, "zswpspm_refuse_copy");
	ASSERT_EQ(0, fail_every("fail_spm_store", 1, 5));
	ASSERT_EQ(0, madvise(p + folio, folio, MADV_PAGEOUT));
	ASSERT_EQ(0, fail_next("fail_spm_store", 0));
	EXPECT_EQ(fp, resident(p + folio, folio, z->page));
	EXPECT_EQ(copy0 + 1, vm_event(z, "zswpspm_refuse_copy"));
	EXPECT_EQ(spm0, zdbg(z, "spm_stored_pages")) TH_LOG("the folio's stored pages stayed");
	EXPECT_EQ(fp, wait_for(cg_stat, z, "zswpout", fp, EQ, STAT_MS));
	EXPECT_EQ(0, cg_stat(z, "pswpout"));

	EXPECT_EQ(0, memcmp(p, copy, 2 * folio)) TH_LOG("a large folio's data changed");
}

/* Touch page @idx of @p in a child; its exit status, or 128 + signal. */
static int touch_in_child(const char *p, long idx, long page, const char *want)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (!pid)
		_exit(memcmp(p + idx * page, want, page) ? 1 : 0);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

/*
 * A device page that fails a read is never read again: the fault gets
 * SIGBUS, so does every later fault on it although the device would now
 * read (the injection is spent), the device quarantines the page, the other
 * pages read back intact, and freeing the slot frees the stub.
 */
TEST_F_TIMEOUT(zspm, failed_load_poisons_entry, 180)
{
	struct zspm *z = &self->z;
	long long fail0, pois0, dev0, spm0, charged0, vin0, vin1;
	const long n = 32, victim = 5;
	char cluster[16];
	int rc;
	struct region r;
	int i;

	if (!fault_injection())
		SKIP(return, "no %sfail_spm_load: kernel without CONFIG_FAULT_INJECTION_DEBUG_FS",
		     ZDBG);
	ASSERT_LE(0, dev_num(z, "poisoned_pages"));
	ASSERT_EQ(0, region_mix(z, &r, n / 2, n / 2, 0x5eed0e01));
	fail0 = zdbg(z, "spm_load_fail");
	pois0 = zdbg(z, "spm_poisoned");
	dev0 = dev_num(z, "poisoned_pages");
	spm0 = zdbg(z, "spm_stored_pages");
	charged0 = zdbg(z, "spm_charged_bytes");
	ASSERT_EQ(0, cg_enter(z));
	ASSERT_EQ(0, region_load(z, &r));
	/*
	 * Only the victim on the device, its neighbours in the pool: swap
	 * readahead around it then reads no other device page, and the one
	 * failed copy is the victim's.
	 */
	ASSERT_EQ(0, spm_enable(false));
	ASSERT_EQ(0, push_out(z, r.data, victim * z->page, false));
	ASSERT_EQ(0, push_out(z, r.data + (victim + 1) * z->page,
			      (n - victim - 1) * z->page, false));
	ASSERT_EQ(0, spm_enable(true));
	ASSERT_EQ(0, push_out(z, r.data + victim * z->page, z->page, false));
	ASSERT_EQ(n, wait_for(cg_stat, z, "zswpout", n, EQ, STAT_MS));
	ASSERT_EQ(1, cg_stat(z, "zswpout_spm"));
	ASSERT_EQ(spm0 + 1, zdbg(z, "spm_stored_pages"));

	ASSERT_EQ(0, fail_next("fail_spm_load", 1));
	EXPECT_EQ(128 + SIGBUS, touch_in_child(r.data, victim, z->page,
					       r.copy + victim * z->page));
	EXPECT_EQ(fail0 + 1, zdbg(z, "spm_load_fail"));
	EXPECT_EQ(pois0 + 1, zdbg(z, "spm_poisoned"));
	EXPECT_EQ(dev0 + 1, dev_num(z, "poisoned_pages"));
	EXPECT_EQ(spm0, zdbg(z, "spm_stored_pages"));

	/*
	 * The failed read's folio stays in the swap cache, not up to date,
	 * and a fault there fails without asking zswap.  Reclaim it (and the
	 * neighbours readahead brought in, all unmapped), so that
	 * the next fault asks zswap again, which must fail without reading
	 * the device (which would now read: the injection is spent).
	 */
	wait_for(cg_stat, z, "swapcached", 1, GE, STAT_MS);
	/* memory.stat is flushed every 2 s: reclaim, then look. */
	for (i = 0; i < 6 && cg_stat(z, "swapcached"); i++) {
		set_str(z->cg, "memory.reclaim", "4M");
		usleep(2500000);
	}
	/*
	 * No readahead (page-cluster 0): the reclaim above may have put
	 * neighbours on the device, and only the victim may be read now.
	 */
	ASSERT_EQ(0, get_str("/proc/sys/vm/", "page-cluster", cluster, sizeof(cluster)));
	ASSERT_EQ(0, set_str("/proc/sys/vm/", "page-cluster", "0"));
	vin0 = vm_event(z, "zswpin_spm");
	rc = touch_in_child(r.data, victim, z->page, r.copy + victim * z->page);
	vin1 = vm_event(z, "zswpin_spm");
	set_str("/proc/sys/vm/", "page-cluster", cluster);
	EXPECT_EQ(128 + SIGBUS, rc) TH_LOG("the failed page was read again");
	/* No load from a device: the stub failed without reading one. */
	EXPECT_EQ(vin0, vin1);
	if (cg_stat(z, "swapcached"))
		ksft_print_msg("the failed read's folio stayed in the swap cache: %s\n",
			       "the fault did not reach zswap");
	/* (Readahead may load neighbours: zswpin tells nothing here.) */
	EXPECT_EQ(fail0 + 1, zdbg(z, "spm_load_fail"));
	EXPECT_EQ(pois0 + 1, zdbg(z, "spm_poisoned"));

	/* Every other page reads back as written. */
	for (i = 0; i < n; i++)
		if (i != victim)
			EXPECT_EQ(0, memcmp(r.data + i * z->page, r.copy + i * z->page, z->page))
				TH_LOG("page %d differs", i);

	/* Freeing the slot frees the stub and its charge. */
	ASSERT_EQ(0, madvise(r.data + victim * z->page, z->page, MADV_DONTNEED));
	EXPECT_EQ(pois0, zdbg(z, "spm_poisoned"));
	memcpy(r.data + victim * z->page, r.copy + victim * z->page, z->page);
	check_data(_metadata, z, &r);
	EXPECT_EQ(spm0, zdbg(z, "spm_stored_pages"));
	EXPECT_EQ(charged0, zdbg(z, "spm_charged_bytes"));
	EXPECT_EQ(0, cg_num(z, "memory.zswap.current"));
}

/* Is the device's memory in /proc/iomem? */
static bool device_memory_present(void)
{
	char line[256];
	bool found = false;
	FILE *f = fopen("/proc/iomem", "r");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, "(cxl_compressed)");
	fclose(f);
	return found;
}

#define STRIDE (2 * MIB)

/*
 * The device is removed while a process that holds entries on it exits:
 * removal must wait for the frees in flight (each slowed down by the
 * injected delay), then take the memory away, not keep it for pages it
 * thinks are held.  Each page sits in a page table of its own, so that
 * the exit frees them one by one, outside a single lock.  The race is
 * hit only when the exit, not the evacuation, frees the last entry: this
 * catches the old order in some runs, not in every run.
 */
TEST_F_TIMEOUT(zspm, removal_waits_for_concurrent_frees, 240)
{
	struct zspm *z = &self->z;
	const long n = 32;
	int status, sync[2];
	char c = 0;
	pid_t pid;

	if (!fault_injection())
		SKIP(return, "no %sspm_inject_free_delay_ms: no CONFIG_FAULT_INJECTION_DEBUG_FS",
		     ZDBG);
	ASSERT_EQ(0, find_region(z)) TH_LOG("no CXL region under %s", z->dax);
	ASSERT_TRUE(device_memory_present());
	ASSERT_EQ(0, cg_enter(z));
	ASSERT_EQ(0, pipe(sync));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		char *p = map_pages(n * STRIDE);
		long i;

		if (!p)
			_exit(1);
		/* Out in reverse order: no two neighbouring slots. */
		for (i = n - 1; i >= 0; i--) {
			fill_page(p + i * STRIDE, z->page, TEXT, 0x5eed0f01, i);
			if (push_out(z, p + i * STRIDE, z->page, false))
				_exit(1);
		}
		if (write(sync[1], &c, 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(sync[1]);
	EXPECT_EQ(1, read(sync[0], &c, 1));
	close(sync[0]);
	EXPECT_EQ(n, wait_for(cg_stat, z, "zswpout_spm", n, EQ, STAT_MS));

	ASSERT_EQ(0, free_delay_ms(50));
	kill(pid, SIGKILL);
	usleep(150000);
	/* The teardown binds the region again if the test does not get to it. */
	z->removed = true;
	EXPECT_EQ(0, write_file(CXL_REGION_DRV "unbind", z->region));
	EXPECT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, free_delay_ms(0));
	EXPECT_NE(0, access(z->sys, F_OK)) TH_LOG("%s is still bound", z->dax);
	EXPECT_FALSE(device_memory_present())
		TH_LOG("the device's memory stayed online: removal saw pages held");
	EXPECT_EQ(0, zdbg(z, "spm_stored_pages"));

	ASSERT_EQ(0, device_restore(z));
	z->removed = false;
}

/* ---- zswap.spm_map: device pages mapped read-only ---- */

/* The node page @p is on (move_pages(2) without target nodes), or -errno. */
static int page_node(void *p)
{
	int status = -1;

	if (syscall(__NR_move_pages, 0, 1UL, &p, NULL, &status, 0))
		return -errno;
	return status;
}

/* Pages of @r on node @nid. */
static long pages_on(struct zspm *z, struct region *r, int nid)
{
	long i, n = 0;

	for (i = 0; i < r->pages; i++)
		n += page_node(r->data + i * z->page) == nid;
	return n;
}

static int device_node(struct zspm *z)
{
	char dir[64];

	snprintf(dir, sizeof(dir), DAX "%s/", z->dax);
	return get_num(dir, "target_node");
}

/* Bytes of @key on node @nid in the test cgroup's memory.numa_stat, or -1. */
static long long cg_numa(struct zspm *z, const char *key, int nid)
{
	char path[160], line[1024], want[24], *at;
	long long v = -1;
	size_t klen = strlen(key);
	FILE *f;

	snprintf(path, sizeof(path), "%smemory.numa_stat", z->cg);
	f = fopen(path, "r");
	if (!f)
		return -1;
	snprintf(want, sizeof(want), " N%d=", nid);
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, klen) || line[klen] != ' ')
			continue;
		at = strstr(line, want);
		v = at ? atoll(at + strlen(want)) : 0;
		break;
	}
	fclose(f);
	return v;
}

/*
 * Does swap-in read ahead by virtual address (vma_ra_enabled, and the swap
 * device is not rotational)?  Only that readahead takes device pages.
 */
static bool vma_readahead(struct zspm *z)
{
	const char *dev = strrchr(z->swapdev, '/');
	char buf[16], dir[192];

	if (get_str(SWAP_SYS, "vma_ra_enabled", buf, sizeof(buf)) ||
	    strcmp(buf, "true"))
		return false;
	snprintf(dir, sizeof(dir), "/sys/class/block/%s/queue/",
		 dev ? dev + 1 : z->swapdev);
	return get_num(dir, "rotational") == 0;
}

/* Major faults (those that started a swap-in) of the calling process. */
static long major_faults(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		return -1;
	return ru.ru_majflt;
}

/* Faults, minor and major, the calling process took so far. */
static long faults(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		return -1;
	return ru.ru_minflt + ru.ru_majflt;
}

/* A byte of every page of @p summed: reads each page once. */
static long byte_sum(struct zspm *z, const char *p, long pages)
{
	long i, sum = 0;

	for (i = 0; i < pages; i++)
		sum += p[i * z->page + 7];
	return sum;
}

/* The oracle: writable or dirty PTEs to device pages, 0 or the test fails. */
static void no_writable_device_ptes(struct __test_metadata *_metadata, struct zspm *z)
{
	EXPECT_EQ(0, zdbg(z, "spm_writable_ptes"))
		TH_LOG("a device page is mapped writable or dirty");
}

/*
 * Device pages mapped now, as the driver counts them, less @base; after
 * waiting up to @ms for the count to reach @want.  A freed page may wait
 * in a per-CPU LRU batch, which holds a reference: drain them first.
 */
static long long mapped_now(struct zspm *z, long long base, long long want, int ms)
{
	if (ms)
		set_str("/proc/sys/vm/", "drop_caches", "1");
	return wait_for(dev_num, z, "mapped_pages", base + want, EQ, ms) - base;
}

/*
 * zswap.spm_map=Y for a test, and NUMA balancing off: its hinting faults
 * would fault in the middle of a test, and move device pages to DRAM.
 */
static int map_on(struct zspm *z)
{
	if (!access(NUMA_BALANCING, W_OK) && !z->numa_was[0]) {
		get_str(NUMA_BALANCING, "", z->numa_was, sizeof(z->numa_was));
		set_str(NUMA_BALANCING, "", "0");
	}
	return set_str(PARAM, "spm_map", "Y");
}

/*
 * Store @r, text and patterned pages (the device takes them), from the test
 * cgroup with zswap.spm_map=Y, then read it: every page maps its device
 * page.
 */
static void map_region(struct __test_metadata *_metadata, struct zspm *z,
		       struct region *r, long n, uint64_t seed)
{
	ASSERT_EQ(0, map_on(z));
	ASSERT_EQ(0, region_init(z, r, n));
	region_fill(z, r, 0, n / 2, TEXT, seed);
	region_fill(z, r, n / 2, n - n / 2, PATTERN, seed);
	ASSERT_EQ(0, cg_enter(z));
	ASSERT_EQ(0, region_load(z, r));
	store(_metadata, z, r);
	/* The device takes nothing while its data compresses < 1.25x. */
	ASSERT_EQ(n, wait_for(cg_stat, z, "zswpout_spm", n, EQ, STAT_MS))
		TH_LOG("the device holds %lld pages (%lld mapped), ratio %d/100",
		       dev_num(z, "stored_pages"), dev_num(z, "mapped_pages"),
		       ratio_x100(z));
	check_data(_metadata, z, r);
	ASSERT_EQ(n, wait_for(cg_stat, z, "zswpin_spm_mapped", n, EQ, STAT_MS));
	ASSERT_EQ(n, pages_on(z, r, device_node(z)));
}

/*
 * A read fault maps the device page itself: after swap-out and a read pass
 * every page is on the device node with its data, charged there in
 * memory.numa_stat, no page was admitted again, the second pass takes no
 * fault, zswap holds none of them and the driver counts them mapped; once
 * unmapped, they are zeroed and freed.  At the default page-cluster, VMA
 * readahead takes the neighbours' device pages too: the sequential pass
 * starts a swap-in for far fewer pages than it reads.
 */
TEST_F_TIMEOUT(zspm, map_read_maps_device_pages, 180)
{
	struct zspm *z = &self->z;
	long long adm0, mapped0, stored0, spm0;
	const long n = 256;
	struct region r;
	long f0, maj0, maj, i;
	int nid = device_node(z);

	ASSERT_LE(0, nid);
	ASSERT_EQ(0, map_on(z));
	ASSERT_EQ(0, region_init(z, &r, n));
	region_fill(z, &r, 0, n / 2, TEXT, 0x5eed1401);
	region_fill(z, &r, n / 2, n / 2, PATTERN, 0x5eed1402);
	ASSERT_EQ(0, cg_enter(z));
	ASSERT_EQ(0, region_load(z, &r));
	mapped0 = dev_num(z, "mapped_pages");
	ASSERT_LE(0, mapped0) TH_LOG("no mapped_pages in %s", z->sys);
	stored0 = dev_num(z, "stored_pages");
	spm0 = zdbg(z, "spm_stored_pages");
	store(_metadata, z, &r);
	ASSERT_EQ(n, wait_for(cg_stat, z, "zswpout_spm", n, EQ, STAT_MS));
	adm0 = dev_num(z, "admissions");

	maj0 = major_faults();
	check_data(_metadata, z, &r);
	maj = major_faults() - maj0;
	ksft_print_msg("read pass of %ld device pages: %ld major faults\n", n, maj);
	if (vma_readahead(z)) {
		EXPECT_GT(n / 2, maj) TH_LOG("readahead took no device page");
	} else {
		ksft_print_msg("no VMA readahead for %s: major faults not checked\n",
			       z->swapdev);
	}
	EXPECT_EQ(n, wait_for(cg_stat, z, "zswpin_spm_mapped", n, EQ, STAT_MS));
	EXPECT_EQ(0, cg_stat(z, "zswpin_spm_copied"));
	EXPECT_EQ(n, pages_on(z, &r, nid));
	EXPECT_EQ(adm0, dev_num(z, "admissions"));
	EXPECT_EQ(spm0, zdbg(z, "spm_stored_pages"));
	EXPECT_EQ(n, mapped_now(z, mapped0, n, 0));
	EXPECT_EQ(stored0 + n, dev_num(z, "stored_pages"));
	EXPECT_EQ(0, wait_for(cg_stat, z, "zswapped_spm", 0, EQ, STAT_MS));
	/* Charged as anon on the device's node, where they are. */
	for (i = 0; i < STAT_MS / 100 && cg_numa(z, "anon", nid) < n * z->page; i++)
		usleep(100000);
	EXPECT_LE(n * z->page, cg_numa(z, "anon", nid));
	f0 = faults();
	EXPECT_EQ(byte_sum(z, r.copy, n), byte_sum(z, r.data, n));
	EXPECT_EQ(f0, faults()) TH_LOG("the second read pass faulted");
	no_writable_device_ptes(_metadata, z);

	ASSERT_EQ(0, munmap(r.data, n * z->page));
	EXPECT_EQ(0, mapped_now(z, mapped0, 0, LEVEL_MS));
	EXPECT_EQ(stored0, wait_for(dev_num, z, "stored_pages", stored0, EQ, LEVEL_MS));
}

/*
 * Cluster readahead (vma_ra_enabled=false, or a rotational swap device)
 * reads the slots around the faulting one, which may belong to any
 * process or to shmem: it leaves their device pages alone, so that no
 * shared or writable mapping can take one.  Every page of a sequential
 * read pass then starts its own swap-in, and each maps its device page.
 */
TEST_F_TIMEOUT(zspm, map_cluster_readahead_leaves_device_pages, 180)
{
	struct zspm *z = &self->z;
	const long n = 128;
	struct region r;
	long maj0, maj;

	ASSERT_EQ(0, map_on(z));
	ASSERT_EQ(0, get_str(SWAP_SYS, "vma_ra_enabled", z->vma_ra_was,
			     sizeof(z->vma_ra_was)));
	ASSERT_EQ(0, set_str(SWAP_SYS, "vma_ra_enabled", "false"));
	ASSERT_FALSE(vma_readahead(z));
	/* Without readahead at all every page would fault alone anyway. */
	ASSERT_LT(0, get_num("/proc/sys/vm/", "page-cluster"))
		TH_LOG("vm.page-cluster is 0: no readahead to check");
	ASSERT_EQ(0, region_init(z, &r, n));
	region_fill(z, &r, 0, n / 2, TEXT, 0x5eed1411);
	region_fill(z, &r, n / 2, n / 2, PATTERN, 0x5eed1412);
	ASSERT_EQ(0, cg_enter(z));
	ASSERT_EQ(0, region_load(z, &r));
	store(_metadata, z, &r);
	ASSERT_EQ(n, wait_for(cg_stat, z, "zswpout_spm", n, EQ, STAT_MS));

	maj0 = major_faults();
	check_data(_metadata, z, &r);
	maj = major_faults() - maj0;
	ksft_print_msg("cluster readahead, read pass of %ld device pages: %ld major faults\n",
		       n, maj);
	EXPECT_LE(n, maj) TH_LOG("cluster readahead took device pages");
	EXPECT_EQ(n, wait_for(cg_stat, z, "zswpin_spm_mapped", n, EQ, STAT_MS));
	EXPECT_EQ(0, cg_stat(z, "zswpin_spm_copied"));
	EXPECT_EQ(n, pages_on(z, &r, device_node(z)));
	no_writable_device_ptes(_metadata, z);
}

/*
 * shmem's pages go to the device as anonymous ones do, but a read fault
 * of a tmpfs page copies it to DRAM: a device page is never mapped
 * shared.  The copies are counted, none is mapped, and the data is right.
 */
TEST_F_TIMEOUT(zspm, map_shmem_copies, 180)
{
	struct zspm *z = &self->z;
	long long mapped0, copied0;
	const long n = 64;
	struct region r;
	int fd;

	ASSERT_EQ(0, map_on(z));
	ASSERT_EQ(0, region_init(z, &r, n));
	region_fill(z, &r, 0, n / 2, TEXT, 0x5eed1421);
	region_fill(z, &r, n / 2, n / 2, PATTERN, 0x5eed1422);
	ASSERT_EQ(0, cg_enter(z));
	fd = memfd_create("zswap_spm", 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, n * z->page));
	r.data = mmap(NULL, n * z->page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	ASSERT_NE(MAP_FAILED, r.data);
	memcpy(r.data, r.copy, n * z->page);
	mapped0 = cg_stat(z, "zswpin_spm_mapped");
	copied0 = cg_stat(z, "zswpin_spm_copied");
	store(_metadata, z, &r);
	ASSERT_EQ(n, wait_for(cg_stat, z, "zswpout_spm", n, EQ, STAT_MS));

	check_data(_metadata, z, &r);
	EXPECT_EQ(n, pages_on(z, &r, 0));
	EXPECT_EQ(copied0 + n, wait_for(cg_stat, z, "zswpin_spm_copied", copied0 + n,
					EQ, STAT_MS));
	EXPECT_EQ(mapped0, cg_stat(z, "zswpin_spm_mapped"));
	no_writable_device_ptes(_metadata, z);
	ASSERT_EQ(0, munmap(r.data, n * z->page));
}

/*
 * Writing a mapped device page moves it to DRAM: each written page ends on
 * node 0 with what was written, and its device page is released.
 */
TEST_F_TIMEOUT(zspm, map_write_moves_page_to_dram, 180)
{
	struct zspm *z = &self->z;
	long long mapped0 = dev_num(z, "mapped_pages"), cow0;
	const long n = 128;
	struct region r;
	long i;

	ASSERT_LE(0, mapped0);
	map_region(_metadata, z, &r, n, 0x5eed1501);
	cow0 = cg_stat(z, "zswpspm_cow");
	for (i = 0; i < n; i++) {
		r.data[i * z->page + 11] ^= 0x5a;
		r.copy[i * z->page + 11] ^= 0x5a;
	}
	check_data(_metadata, z, &r);
	EXPECT_EQ(n, pages_on(z, &r, 0));
	EXPECT_EQ(cow0 + n, wait_for(cg_stat, z, "zswpspm_cow", cow0 + n, EQ, STAT_MS));
	EXPECT_EQ(0, mapped_now(z, mapped0, 0, LEVEL_MS));
	no_writable_device_ptes(_metadata, z);
}

/* A write fault on a swapped-out page copies it, as before: nothing maps. */
TEST_F_TIMEOUT(zspm, map_write_fault_at_swapin_copies, 180)
{
	struct zspm *z = &self->z;
	const long n = 128;
	struct region r;
	long i;

	ASSERT_EQ(0, map_on(z));
	ASSERT_EQ(0, region_init(z, &r, n));
	region_fill(z, &r, 0, n, TEXT, 0x5eed1601);
	ASSERT_EQ(0, cg_enter(z));
	ASSERT_EQ(0, region_load(z, &r));
	store(_metadata, z, &r);
	ASSERT_EQ(n, wait_for(cg_stat, z, "zswpout_spm", n, EQ, STAT_MS));
	/* Stores only: a read would fault first, and map. */
	for (i = 0; i < n; i++) {
		r.copy[i * z->page] = 0x42;
		r.data[i * z->page] = 0x42;
	}
	check_data(_metadata, z, &r);
	EXPECT_EQ(n, pages_on(z, &r, 0));
	EXPECT_EQ(0, cg_stat(z, "zswpin_spm_mapped"));
	EXPECT_EQ(n, wait_for(cg_stat, z, "zswpin_spm_copied", n, EQ, STAT_MS));
	/* Readahead around a write fault copies its neighbours too. */
	EXPECT_LE(n / 8, cg_stat(z, "zswpin_spm_copied_write"));
	EXPECT_GE(n, cg_stat(z, "zswpin_spm_copied_write"));
	EXPECT_EQ(0, cg_stat(z, "zswpin_spm_copied_busy"));
}

/* With zswap.spm_map=N, loads copy: no page stays on the device. */
TEST_F_TIMEOUT(zspm, map_off_copies, 180)
{
	struct zspm *z = &self->z;
	const long n = 128;
	struct region r;

	ASSERT_EQ(0, region_init(z, &r, n));
	region_fill(z, &r, 0, n, TEXT, 0x5eed1701);
	ASSERT_EQ(0, cg_enter(z));
	ASSERT_EQ(0, region_load(z, &r));
	store(_metadata, z, &r);
	ASSERT_EQ(n, wait_for(cg_stat, z, "zswpout_spm", n, EQ, STAT_MS));
	check_data(_metadata, z, &r);
	EXPECT_EQ(n, wait_for(cg_stat, z, "zswpin_spm", n, EQ, STAT_MS));
	EXPECT_EQ(0, cg_stat(z, "zswpin_spm_mapped"));
	EXPECT_EQ(n, pages_on(z, &r, 0));
}

/*
 * fork() shares a mapped device page: the writer gets a DRAM copy with its
 * data, the other side keeps the device page with the old data.
 */
TEST_F_TIMEOUT(zspm, map_fork_writer_moves_other_keeps, 180)
{
	struct zspm *z = &self->z;
	int nid = device_node(z), status;
	const long n = 64;
	struct region r;
	pid_t pid;

	map_region(_metadata, z, &r, n, 0x5eed1801);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		long i, bad = 0;

		for (i = 0; i < n; i++)
			r.data[i * z->page + 3] ^= 0x11;
		for (i = 0; i < n; i++) {
			r.copy[i * z->page + 3] ^= 0x11;
			bad += !!memcmp(r.data + i * z->page, r.copy + i * z->page, z->page);
			bad += page_node(r.data + i * z->page) != 0;
		}
		_exit(bad ? 1 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status))
		TH_LOG("the child's writes did not land in DRAM with its data");
	check_data(_metadata, z, &r);
	EXPECT_EQ(n, pages_on(z, &r, nid));
	no_writable_device_ptes(_metadata, z);
}

/*
 * Writers that bypass the page tables' write bit: each moves the page to
 * DRAM first, and writes what it was asked to.
 */
TEST_F_TIMEOUT(zspm, map_hostile_writers_move_page, 180)
{
	struct zspm *z = &self->z;
	const long n = 16;
	struct region r;
	struct iovec local, remote;
	char buf[8] = "written", *p;
	int fd, pfd[2];
	long i;

	map_region(_metadata, z, &r, n, 0x5eed1901);
	fd = open("/proc/self/mem", O_RDWR);
	ASSERT_LE(0, fd);
	for (i = 0; i < 4; i++) {
		p = r.data + i * z->page + 100;
		memcpy(r.copy + i * z->page + 100, buf, sizeof(buf));
		switch (i) {
		case 0:		/* /proc/self/mem, a FOLL_FORCE write */
			EXPECT_EQ(sizeof(buf), pwrite(fd, buf, sizeof(buf), (uintptr_t)p));
			break;
		case 1:		/* process_vm_writev() */
			local.iov_base = buf;
			local.iov_len = sizeof(buf);
			remote.iov_base = p;
			remote.iov_len = sizeof(buf);
			EXPECT_EQ(sizeof(buf), process_vm_writev(getpid(), &local, 1,
								 &remote, 1, 0))
				TH_LOG("process_vm_writev(): %s", strerror(errno));
			break;
		case 2:		/* a kernel write through GUP: read() from a pipe */
			ASSERT_EQ(0, pipe(pfd));
			EXPECT_EQ(sizeof(buf), write(pfd[1], buf, sizeof(buf)));
			EXPECT_EQ(sizeof(buf), read(pfd[0], p, sizeof(buf)));
			close(pfd[0]);
			close(pfd[1]);
			break;
		case 3:		/* mprotect() read-only, then read-write, then a store */
			EXPECT_EQ(0, mprotect(r.data + i * z->page, z->page, PROT_READ));
			EXPECT_EQ(0, mprotect(r.data + i * z->page, z->page,
					      PROT_READ | PROT_WRITE));
			memcpy(p, buf, sizeof(buf));
			break;
		}
		EXPECT_EQ(0, page_node(r.data + i * z->page)) TH_LOG("writer %ld", i);
	}
	/* A FOLL_FORCE write into a read-only mapping. */
	p = r.data + 4 * z->page + 100;
	ASSERT_EQ(0, mprotect(r.data + 4 * z->page, z->page, PROT_READ));
	memcpy(r.copy + 4 * z->page + 100, buf, sizeof(buf));
	EXPECT_EQ(sizeof(buf), pwrite(fd, buf, sizeof(buf), (uintptr_t)p))
		TH_LOG("/proc/self/mem write to a read-only page: %s", strerror(errno));
	EXPECT_EQ(0, page_node(r.data + 4 * z->page));
	close(fd);
	check_data(_metadata, z, &r);
	EXPECT_EQ(n - 5, pages_on(z, &r, device_node(z)));
	no_writable_device_ptes(_metadata, z);
}

/* Bit 55 of a pagemap entry: the page was written since clear_refs 4. */
#define PM_SOFT_DIRTY	(1ULL << 55)

static uint64_t pagemap_entry(void *p, long page)
{
	uint64_t e = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0)
		return 0;
	if (pread(fd, &e, sizeof(e), (uintptr_t)p / page * sizeof(e)) != sizeof(e))
		e = 0;
	close(fd);
	return e;
}

/*
 * More routes to a write, each of which must move the page to DRAM first:
 * an O_DIRECT read into the page (the block layer pins it for writing),
 * userfaultfd write-protection resolved (which may make an exclusive page
 * writable, never a device page), soft-dirty tracking (clear_refs, then a
 * store), mremap() (the page moves with its mapping, still read-only,
 * until a store) and mlock() (which populates a writable mapping by
 * writing).  Every page reads back as written.
 */
TEST_F_TIMEOUT(zspm, map_more_writers_move_page, 180)
{
	struct uffdio_api api = { .api = UFFD_API,
				  .features = UFFD_FEATURE_PAGEFAULT_FLAG_WP };
	struct uffdio_register reg = { 0 };
	struct uffdio_writeprotect wp = { 0 };
	struct zspm *z = &self->z;
	int nid = device_node(z), fd;
	const long n = 32;
	struct region r;
	char dev[128], *p, *buf, *moved;

	map_region(_metadata, z, &r, n, 0x5eed2401);

	/* O_DIRECT: read the swap device's first block into page 0. */
	p = r.data;
	ASSERT_EQ(0, first_swap(dev, sizeof(dev)));
	buf = r.copy;
	fd = open(dev, O_RDONLY | O_DIRECT);
	ASSERT_LE(0, fd) TH_LOG("%s: %s", dev, strerror(errno));
	ASSERT_EQ(z->page, pread(fd, buf, z->page, 0));
	EXPECT_EQ(z->page, pread(fd, p, z->page, 0)) TH_LOG("O_DIRECT: %s", strerror(errno));
	close(fd);
	EXPECT_EQ(0, page_node(p)) TH_LOG("O_DIRECT read into a device page");

	/* userfaultfd: write-protect pages 1-2, resolve, then store. */
	p = r.data + 1 * z->page;
	fd = syscall(__NR_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY);
	if (fd < 0) {
		ksft_print_msg("no userfaultfd (%s): write-protect case skipped\n",
			       strerror(errno));
	} else {
		ASSERT_EQ(0, ioctl(fd, UFFDIO_API, &api)) TH_LOG("UFFDIO_API: %s", strerror(errno));
		reg.range.start = (uintptr_t)p;
		reg.range.len = 2 * z->page;
		reg.mode = UFFDIO_REGISTER_MODE_WP;
		ASSERT_EQ(0, ioctl(fd, UFFDIO_REGISTER, &reg))
			TH_LOG("register: %s", strerror(errno));
		wp.range = reg.range;
		wp.mode = UFFDIO_WRITEPROTECT_MODE_WP;
		ASSERT_EQ(0, ioctl(fd, UFFDIO_WRITEPROTECT, &wp));
		no_writable_device_ptes(_metadata, z);
		wp.mode = 0;
		ASSERT_EQ(0, ioctl(fd, UFFDIO_WRITEPROTECT, &wp));
		/* Resolved: still read-only, still on the device. */
		no_writable_device_ptes(_metadata, z);
		EXPECT_EQ(nid, page_node(p));
		p[5] ^= 0x21;
		r.copy[1 * z->page + 5] ^= 0x21;
		EXPECT_EQ(0, page_node(p)) TH_LOG("store after uffd-wp resolution");
		EXPECT_EQ(nid, page_node(p + z->page));
		ASSERT_EQ(0, ioctl(fd, UFFDIO_UNREGISTER, &reg.range));
		close(fd);
	}

	/* Soft-dirty: clear, store to page 3, which alone is soft-dirty. */
	p = r.data + 3 * z->page;
	ASSERT_EQ(0, set_str("/proc/self/", "clear_refs", "4"));
	no_writable_device_ptes(_metadata, z);
	p[9] ^= 0x42;
	r.copy[3 * z->page + 9] ^= 0x42;
	EXPECT_EQ(0, page_node(p)) TH_LOG("store after clear_refs");
	EXPECT_TRUE(pagemap_entry(p, z->page) & PM_SOFT_DIRTY);
	EXPECT_FALSE(pagemap_entry(p + z->page, z->page) & PM_SOFT_DIRTY);

	/* mremap(): pages 4-7 move with their mapping, still on the device. */
	moved = mmap(NULL, 4 * z->page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, moved);
	moved = mremap(r.data + 4 * z->page, 4 * z->page, 4 * z->page,
		       MREMAP_MAYMOVE | MREMAP_FIXED, moved);
	ASSERT_NE(MAP_FAILED, moved) TH_LOG("mremap: %s", strerror(errno));
	EXPECT_EQ(nid, page_node(moved));
	EXPECT_EQ(0, memcmp(moved, r.copy + 4 * z->page, 4 * z->page));
	no_writable_device_ptes(_metadata, z);
	moved[13] ^= 0x5;
	EXPECT_EQ(0, page_node(moved)) TH_LOG("store after mremap");
	EXPECT_EQ(nid, page_node(moved + z->page));
	r.copy[4 * z->page + 13] ^= 0x5;
	EXPECT_EQ(0, memcmp(moved, r.copy + 4 * z->page, 4 * z->page));
	/* Put them back, for check_data(). */
	ASSERT_NE(MAP_FAILED, mremap(moved, 4 * z->page, 4 * z->page,
				     MREMAP_MAYMOVE | MREMAP_FIXED, r.data + 4 * z->page));

	/* mlock(): populating a writable private mapping writes it. */
	p = r.data + 8 * z->page;
	ASSERT_EQ(0, mlock(p, 4 * z->page)) TH_LOG("mlock: %s", strerror(errno));
	no_writable_device_ptes(_metadata, z);
	ASSERT_EQ(0, munlock(p, 4 * z->page));

	check_data(_metadata, z, &r);
	no_writable_device_ptes(_metadata, z);
}

/*
 * swapoff with pages mapped from the device and others stored again: the
 * entries are loaded (copied: swapoff maps nothing), the mapped pages stay
 * where they are, and everything reads back as written.
 */
TEST_F_TIMEOUT(zspm, map_swapoff_with_mapped_pages, 180)
{
	struct zspm *z = &self->z;
	int nid = device_node(z), rc;
	const long n = 128;
	long long spm0;
	struct region r;

	spm0 = zdbg(z, "spm_stored_pages");
	map_region(_metadata, z, &r, n, 0x5eed2901);
	/* The second half goes out again, stored without a copy. */
	ASSERT_EQ(0, push_out(z, r.data + n / 2 * z->page, n / 2 * z->page, false));
	ASSERT_EQ(n / 2, wait_for(cg_stat, z, "zswpspm_restore", n / 2, EQ, STAT_MS));

	z->swapped_off = true;
	rc = swapoff(z->swapdev);
	ASSERT_EQ(0, rc) TH_LOG("swapoff %s: %s", z->swapdev, strerror(errno));
	EXPECT_EQ(spm0, zdbg(z, "spm_stored_pages"));
	EXPECT_EQ(n / 2, pages_on(z, &r, nid));
	EXPECT_EQ(n / 2, pages_on(z, &r, 0));
	EXPECT_EQ(r.pages, resident(r.data, r.pages * z->page, z->page));
	check_data(_metadata, z, &r);
	no_writable_device_ptes(_metadata, z);
	rc = swapon(z->swapdev, 0);
	ASSERT_EQ(0, rc) TH_LOG("swapon %s: %s", z->swapdev, strerror(errno));
	z->swapped_off = false;
}

/*
 * MADV_DONTNEED gives mapped device pages back at once (and the range
 * reads zero); MADV_FREE once reclaim takes them (each page reads zero or
 * its old data).  Either way the driver has every page back.
 */
TEST_F_TIMEOUT(zspm, map_madvise_returns_pages, 180)
{
	struct zspm *z = &self->z;
	long long mapped0 = dev_num(z, "mapped_pages");
	const long n = 64, half = n / 2;
	char *zero = calloc(1, z->page);
	struct region r;
	long i, bad = 0;

	ASSERT_LE(0, mapped0);
	ASSERT_NE(NULL, zero);
	map_region(_metadata, z, &r, n, 0x5eed2a01);
	ASSERT_EQ(0, madvise(r.data, half * z->page, MADV_DONTNEED));
	EXPECT_EQ(half, mapped_now(z, mapped0, half, LEVEL_MS));
	ASSERT_EQ(0, madvise(r.data + half * z->page, half * z->page, MADV_FREE));
	push_out(z, r.data + half * z->page, half * z->page, true);
	EXPECT_EQ(0, mapped_now(z, mapped0, 0, LEVEL_MS));
	for (i = 0; i < half; i++)
		bad += !!memcmp(r.data + i * z->page, zero, z->page);
	for (; i < n; i++)
		bad += memcmp(r.data + i * z->page, zero, z->page) &&
		       memcmp(r.data + i * z->page, r.copy + i * z->page, z->page);
	EXPECT_EQ(0, bad);
	free(zero);
	no_writable_device_ptes(_metadata, z);
}

/*
 * UFFDIO_MOVE moves only pages exclusive to the process, which a device
 * page never is: it fails with EBUSY and leaves the page where it was.
 */
TEST_F_TIMEOUT(zspm, map_uffd_move_refuses_device_pages, 180)
{
	struct uffdio_api api = { .api = UFFD_API, .features = UFFD_FEATURE_MOVE };
	struct uffdio_register reg = { 0 };
	struct uffdio_move mv = { 0 };
	struct zspm *z = &self->z;
	int nid = device_node(z), fd, rc;
	const long n = 8;
	struct region r;
	char *dst;

	map_region(_metadata, z, &r, n, 0x5eed2801);
	fd = syscall(__NR_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY);
	if (fd < 0)
		SKIP(return, "no userfaultfd: %s", strerror(errno));
	if (ioctl(fd, UFFDIO_API, &api)) {
		close(fd);
		SKIP(return, "no UFFD_FEATURE_MOVE: %s", strerror(errno));
	}
	dst = map_pages(z->page);
	ASSERT_NE(NULL, dst);
	reg.range.start = (uintptr_t)dst;
	reg.range.len = z->page;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	ASSERT_EQ(0, ioctl(fd, UFFDIO_REGISTER, &reg)) TH_LOG("register: %s", strerror(errno));
	mv.dst = (uintptr_t)dst;
	mv.src = (uintptr_t)r.data;
	mv.len = z->page;
	rc = ioctl(fd, UFFDIO_MOVE, &mv);
	EXPECT_EQ(-1, rc);
	EXPECT_EQ(EBUSY, errno) TH_LOG("UFFDIO_MOVE of a device page: %s", strerror(errno));
	EXPECT_EQ(nid, page_node(r.data));
	close(fd);
	check_data(_metadata, z, &r);
	no_writable_device_ptes(_metadata, z);
}

/*
 * KSM merges no device page, and compaction moves none (nor any other page
 * onto the device): identical pages mapped from the device stay there,
 * unmerged, with their data.
 */
TEST_F_TIMEOUT(zspm, map_ksm_and_compaction_leave_device_pages, 240)
{
	struct zspm *z = &self->z;
	int nid = device_node(z), ms;
	long long adm0, scans0;
	const long n = 64;
	char run_was[8] = "";
	struct region r;
	long i;

	ASSERT_EQ(0, map_on(z));
	ASSERT_EQ(0, region_init(z, &r, n));
	/* One text page, n times: all the same, KSM's favourite. */
	for (i = 0; i < n; i++)
		fill_page(r.copy + i * z->page, z->page, TEXT, 0x5eed2501, 0);
	ASSERT_EQ(0, cg_enter(z));
	ASSERT_EQ(0, region_load(z, &r));
	store(_metadata, z, &r);
	ASSERT_EQ(n, wait_for(cg_stat, z, "zswpout_spm", n, EQ, STAT_MS));
	check_data(_metadata, z, &r);
	ASSERT_EQ(n, pages_on(z, &r, nid));
	adm0 = dev_num(z, "admissions");

	if (access("/sys/kernel/mm/ksm/run", W_OK)) {
		ksft_print_msg("no KSM: its case skipped\n");
	} else {
		get_str("/sys/kernel/mm/ksm/", "run", run_was, sizeof(run_was));
		ASSERT_EQ(0, madvise(r.data, n * z->page, MADV_MERGEABLE));
		scans0 = get_num("/sys/kernel/mm/ksm/", "full_scans");
		ASSERT_EQ(0, set_str("/sys/kernel/mm/ksm/", "run", "1"));
		for (ms = 0; ms < 60000; ms += 100) {
			if (get_num("/sys/kernel/mm/ksm/", "full_scans") >= scans0 + 3)
				break;
			usleep(100000);
		}
		set_str("/sys/kernel/mm/ksm/", "run", run_was[0] ? run_was : "0");
		EXPECT_LE(scans0 + 3, get_num("/sys/kernel/mm/ksm/", "full_scans"));
		EXPECT_EQ(n, pages_on(z, &r, nid)) TH_LOG("KSM moved or merged device pages");
		EXPECT_EQ(0, madvise(r.data, n * z->page, MADV_UNMERGEABLE));
	}

	ASSERT_EQ(0, set_str("/proc/sys/vm/", "compact_memory", "1"));
	EXPECT_EQ(n, pages_on(z, &r, nid)) TH_LOG("compaction moved device pages");
	EXPECT_EQ(adm0, dev_num(z, "admissions"));
	EXPECT_LE(n, dev_num(z, "mapped_pages"));
	check_data(_metadata, z, &r);
	no_writable_device_ptes(_metadata, z);
}

/*
 * MADV_COLLAPSE of a range mapped from the device never builds its huge
 * page on the device: it collapses into DRAM, or fails (the huge page is
 * allocated near the pages, and the device's node gives none) and leaves
 * the range as it was.  Either way the data stays right.
 */
TEST_F_TIMEOUT(zspm, map_collapse_copies_to_dram, 180)
{
	const long huge = 2 * MIB;
	struct zspm *z = &self->z;
	int nid = device_node(z);
	long n = huge / z->page, before;
	struct region r;
	char *raw;

	ASSERT_EQ(0, map_on(z));
	ASSERT_EQ(0, region_init(z, &r, n));
	region_fill(z, &r, 0, n, TEXT, 0x5eed2601);
	ASSERT_EQ(0, cg_enter(z));
	/* A huge-page-aligned range of base pages. */
	raw = mmap(NULL, 2 * huge, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, raw);
	r.data = (char *)(((uintptr_t)raw + huge - 1) & ~(huge - 1));
	ASSERT_EQ(0, madvise(r.data, huge, MADV_NOHUGEPAGE));
	memcpy(r.data, r.copy, huge);
	store(_metadata, z, &r);
	check_data(_metadata, z, &r);
	ASSERT_LT(n / 2, pages_on(z, &r, nid));
	ASSERT_EQ(0, madvise(r.data, huge, MADV_HUGEPAGE));
	before = pages_on(z, &r, nid);
	if (madvise(r.data, huge, MADV_COLLAPSE)) {
		ksft_print_msg("MADV_COLLAPSE: %s; the range stays as it was\n",
			       strerror(errno));
		EXPECT_EQ(before, pages_on(z, &r, nid));
	} else {
		EXPECT_EQ(n, pages_on(z, &r, 0));
	}
	check_data(_metadata, z, &r);
	no_writable_device_ptes(_metadata, z);
}

#ifndef MADV_HWPOISON
#define MADV_HWPOISON 100
#endif

/*
 * A memory error in a mapped device page goes through memory_failure():
 * the process that touches it gets SIGBUS, the page leaves the driver's
 * mapped and stored pages for its poisoned ones (it is never zeroed or
 * handed out again), and the process's other device pages come back as
 * usual when it dies.
 */
TEST_F_TIMEOUT(zspm, map_memory_error_kills_with_sigbus, 180)
{
	struct zspm *z = &self->z;
	long long mapped0 = dev_num(z, "mapped_pages");
	long long stored0 = dev_num(z, "stored_pages");
	long long pois0 = dev_num(z, "poisoned_pages");
	const long n = 32;
	int status;
	pid_t pid;

	ASSERT_LE(0, mapped0);
	ASSERT_LE(0, pois0);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct region r;

		map_region(_metadata, z, &r, n, 0x5eed2701);
		if (_metadata->exit_code)
			_exit(1);
		/* The injection's SIGBUS comes at once: the caller maps it. */
		if (madvise(r.data + 5 * z->page, z->page, MADV_HWPOISON))
			_exit(errno == EINVAL ? 2 : 3);
		_exit(r.data[5 * z->page] ? 4 : 5);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	if (WIFEXITED(status) && WEXITSTATUS(status) == 2)
		SKIP(return, "MADV_HWPOISON: EINVAL (kernel without CONFIG_MEMORY_FAILURE)");
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGBUS)
		TH_LOG("child %s %d", WIFSIGNALED(status) ? "killed by signal" : "exited with",
		       WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	EXPECT_EQ(0, mapped_now(z, mapped0, 0, LEVEL_MS));
	EXPECT_EQ(stored0, wait_for(dev_num, z, "stored_pages", stored0, EQ, LEVEL_MS));
	EXPECT_EQ(pois0 + 1, dev_num(z, "poisoned_pages"));
	no_writable_device_ptes(_metadata, z);
}

/*
 * Mapped device pages die with their process: once it exits, the driver
 * has them all back, zeroed.
 */
TEST_F_TIMEOUT(zspm, map_exit_returns_pages, 180)
{
	struct zspm *z = &self->z;
	long long mapped0 = dev_num(z, "mapped_pages");
	long long stored0 = dev_num(z, "stored_pages");
	const long n = 128;
	int status;
	pid_t pid;

	ASSERT_LE(0, mapped0);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct region r;

		map_region(_metadata, z, &r, n, 0x5eed1a01);
		_exit(_metadata->exit_code);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	EXPECT_EQ(0, mapped_now(z, mapped0, 0, LEVEL_MS));
	EXPECT_EQ(stored0, wait_for(dev_num, z, "stored_pages", stored0, EQ, LEVEL_MS));
}

/*
 * A mapped device page swapped out again becomes a zswap entry again without
 * a copy: no admission, no new device page, and once reclaim has freed the
 * pages the entries own them (none counts as mapped); a read maps each one
 * again, with its data; when unmapped, the driver has them all back.
 */
TEST_F_TIMEOUT(zspm, map_pages_stored_again, 180)
{
	struct zspm *z = &self->z;
	long long mapped0 = dev_num(z, "mapped_pages");
	long long stored0 = dev_num(z, "stored_pages");
	long long spm0 = zdbg(z, "spm_stored_pages");
	long long adm0, restored0, in0;
	const long n = 128;
	struct region r;

	ASSERT_LE(0, mapped0);
	map_region(_metadata, z, &r, n, 0x5eed1b01);
	adm0 = dev_num(z, "admissions");
	restored0 = zdbg(z, "spm_restored");
	store(_metadata, z, &r);
	EXPECT_EQ(n, wait_for(cg_stat, z, "zswpspm_restore", n, EQ, STAT_MS));
	EXPECT_EQ(restored0 + n, zdbg(z, "spm_restored"));
	EXPECT_EQ(adm0, dev_num(z, "admissions")) TH_LOG("stored again by admission");
	EXPECT_EQ(stored0 + n, dev_num(z, "stored_pages"));
	EXPECT_EQ(spm0 + n, zdbg(z, "spm_stored_pages"));
	EXPECT_EQ(0, mapped_now(z, mapped0, 0, LEVEL_MS));

	in0 = cg_stat(z, "zswpin_spm_mapped");
	check_data(_metadata, z, &r);
	EXPECT_EQ(in0 + n, wait_for(cg_stat, z, "zswpin_spm_mapped", in0 + n, EQ, STAT_MS));
	EXPECT_EQ(n, pages_on(z, &r, device_node(z)));
	EXPECT_EQ(adm0, dev_num(z, "admissions"));
	EXPECT_EQ(n, mapped_now(z, mapped0, n, LEVEL_MS));
	no_writable_device_ptes(_metadata, z);

	ASSERT_EQ(0, munmap(r.data, n * z->page));
	EXPECT_EQ(0, mapped_now(z, mapped0, 0, LEVEL_MS));
	EXPECT_EQ(stored0, wait_for(dev_num, z, "stored_pages", stored0, EQ, LEVEL_MS));
	EXPECT_EQ(spm0, zdbg(z, "spm_stored_pages"));
}

/*
 * Repeated swap-out, map, write and store-again cycles over text, patterned,
 * random and zero pages: every cycle reads back byte for byte, pages that
 * stayed mapped are stored again without a copy, written ones went to
 * DRAM, and at the end the driver has every page back.
 */
TEST_F_TIMEOUT(zspm, map_restore_cycles_keep_data, 300)
{
	struct zspm *z = &self->z;
	long long mapped0 = dev_num(z, "mapped_pages");
	long long stored0 = dev_num(z, "stored_pages");
	long long restore0, adm0;
	int nid = device_node(z), cycle;
	const long n = 192;
	long i, on_dev, written;
	struct region r;

	ASSERT_LE(0, mapped0);
	ASSERT_EQ(0, map_on(z));
	ASSERT_EQ(0, region_init(z, &r, n));
	region_fill(z, &r, 0, n / 2, TEXT, 0x5eed2101);
	region_fill(z, &r, n / 2, n / 4, PATTERN, 0x5eed2102);
	region_fill(z, &r, 3 * n / 4, n / 8, RANDOM, 0x5eed2103);
	region_fill(z, &r, 7 * n / 8, n / 8, ZERO, 0);
	ASSERT_EQ(0, cg_enter(z));
	ASSERT_EQ(0, region_load(z, &r));
	for (cycle = 0; cycle < 4; cycle++) {
		on_dev = pages_on(z, &r, nid);
		restore0 = cg_stat(z, "zswpspm_restore");
		adm0 = dev_num(z, "admissions");
		store(_metadata, z, &r);
		/* Every page mapped from the device was stored again as it was. */
		EXPECT_EQ(restore0 + on_dev, wait_for(cg_stat, z, "zswpspm_restore",
						      restore0 + on_dev, EQ, STAT_MS))
			TH_LOG("cycle %d: %ld pages were on the device", cycle, on_dev);
		EXPECT_GE(adm0 + n - on_dev, dev_num(z, "admissions"))
			TH_LOG("cycle %d: a page stored again was admitted", cycle);
		check_data(_metadata, z, &r);
		if (!cycle)
			EXPECT_LT(n / 2, pages_on(z, &r, nid))
				TH_LOG("too few pages mapped from the device");
		no_writable_device_ptes(_metadata, z);
		/* Write one page in three, a different third each cycle. */
		written = 0;
		for (i = cycle % 3; i < n; i += 3) {
			r.data[i * z->page + 8 * cycle] ^= 0x77;
			r.copy[i * z->page + 8 * cycle] ^= 0x77;
			written++;
		}
		for (i = cycle % 3; i < n; i += 3)
			EXPECT_EQ(0, page_node(r.data + i * z->page))
				TH_LOG("cycle %d: written page %ld", cycle, i);
		check_data(_metadata, z, &r);
	}
	EXPECT_LT(0, cg_stat(z, "zswpspm_restore"));
	ASSERT_EQ(0, munmap(r.data, n * z->page));
	EXPECT_EQ(0, mapped_now(z, mapped0, 0, LEVEL_MS));
	EXPECT_EQ(stored0, wait_for(dev_num, z, "stored_pages", stored0, EQ, LEVEL_MS));
}

/* Pages of @r on node @nid, once they all are, or after @ms. */
static long pages_on_within(struct zspm *z, struct region *r, int nid, int ms)
{
	long n;

	for (;;) {
		n = pages_on(z, r, nid);
		if (n == r->pages || ms <= 0)
			return n;
		usleep(100000);
		ms -= 100;
	}
}

/*
 * Mapped device pages count as stored: under high pressure with no entry
 * to move, the escape valve migrates them to DRAM, with their data, and
 * the driver gets the device pages back.
 */
TEST_F_TIMEOUT(zspm, map_valve_moves_mapped_pages, 180)
{
	struct zspm *z = &self->z;
	long long mapped0 = dev_num(z, "mapped_pages"), moved0;
	const long n = 128;
	struct region r;

	ASSERT_LE(0, mapped0);
	map_region(_metadata, z, &r, n, 0x5eed2201);
	EXPECT_EQ(0, wait_for(zdbg, z, "spm_stored_pages", 0, EQ, STAT_MS));
	moved0 = zdbg(z, "spm_mapped_moved");
	ASSERT_EQ(0, inject(z, "high"));
	ASSERT_TRUE(level_is(z, "high", LEVEL_MS));
	EXPECT_EQ(n, pages_on_within(z, &r, 0, VALVE_MS));
	EXPECT_LE(moved0 + n, zdbg(z, "spm_mapped_moved"));
	EXPECT_EQ(0, mapped_now(z, mapped0, 0, LEVEL_MS));
	ASSERT_EQ(0, inject(z, "off"));
	check_data(_metadata, z, &r);
	no_writable_device_ptes(_metadata, z);
}

#define TRACING "/sys/kernel/tracing/"

/* Occurrences of event @name in the trace buffer. */
static long trace_count(const char *name)
{
	char line[512];
	long n = 0;
	FILE *f = fopen(TRACING "trace", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n += !!strstr(line, name);
	fclose(f);
	return n;
}

/*
 * The tracepoints report each map, each move to DRAM and each store
 * without a copy.
 */
TEST_F_TIMEOUT(zspm, map_tracepoints_report, 180)
{
	struct zspm *z = &self->z;
	const long n = 32;
	struct region r;
	long i;

	if (access(TRACING "trace", W_OK))
		mount("tracefs", TRACING, "tracefs", 0, NULL);
	if (access(TRACING "events/zswap_spm/enable", W_OK))
		SKIP(return, "no zswap_spm events in %s: kernel without tracing", TRACING);
	ASSERT_EQ(0, set_str(TRACING, "trace", ""));
	ASSERT_EQ(0, set_str(TRACING, "events/zswap_spm/enable", "1"));
	map_region(_metadata, z, &r, n, 0x5eed2301);
	for (i = 0; i < n / 2; i++) {
		r.data[i * z->page] ^= 1;
		r.copy[i * z->page] ^= 1;
	}
	store(_metadata, z, &r);
	EXPECT_EQ(n / 2, wait_for(cg_stat, z, "zswpspm_restore", n / 2, EQ, STAT_MS));
	set_str(TRACING, "events/zswap_spm/enable", "0");
	EXPECT_EQ(n, trace_count("zswap_spm_map:"));
	EXPECT_EQ(n / 2, trace_count("zswap_spm_cow:"));
	EXPECT_EQ(n / 2, trace_count("zswap_spm_restore:"));
	set_str(TRACING, "trace", "");
	check_data(_metadata, z, &r);
}

/* A cgroup at memory.max whose pages are mapped from the device progresses. */
TEST_F_TIMEOUT(zspm, map_reclaim_progresses_at_memory_max, 300)
{
	struct zspm *z = &self->z;

	ASSERT_EQ(0, map_on(z));
	EXPECT_LT(0, reclaim_at_memory_max(_metadata, z, DENSE_TEXT, 0x5eed1c01));
	EXPECT_EQ(0, cg_event(z, "oom_kill"));
}

/*
 * Removing the device moves its mapped pages to DRAM: the process keeps
 * running with its data, and the device's memory goes.
 */
TEST_F_TIMEOUT(zspm, map_device_removal_migrates_mapped_pages, 240)
{
	struct zspm *z = &self->z;
	const long n = 128;
	struct region r;
	int rc;

	ASSERT_EQ(0, find_region(z)) TH_LOG("no CXL region under %s", z->dax);
	map_region(_metadata, z, &r, n, 0x5eed1d01);
	z->removed = true;
	rc = write_file(CXL_REGION_DRV "unbind", z->region);
	ASSERT_EQ(0, rc) TH_LOG("unbinding %s: %s", z->region, strerror(-rc));
	EXPECT_NE(0, access(z->sys, F_OK)) TH_LOG("%s is still bound", z->dax);
	EXPECT_FALSE(device_memory_present())
		TH_LOG("the device's memory stayed online");
	EXPECT_EQ(n, pages_on(z, &r, 0));
	check_data(_metadata, z, &r);

	rc = device_restore(z);
	ASSERT_EQ(0, rc) TH_LOG("restoring %s: %s", z->dax, strerror(-rc));
	z->removed = false;
}

/*
 * spm_map flips about 50 times while a process pushes pages out, reads them
 * back (mapping them, while it is on) and writes them (moving them to DRAM),
 * and they are stored again: every page reads back as written.
 */
TEST_F_TIMEOUT(zspm, map_toggled_under_load, 240)
{
	struct zspm *z = &self->z;

	ASSERT_EQ(0, map_on(z));
	toggled_under_load(_metadata, z, "spm_map");
	no_writable_device_ptes(_metadata, z);
}

/*
 * With NUMA balancing on, hinting faults may move mapped device pages to
 * DRAM, the CPU's node (a promotion, as for any page on a CPU-less node),
 * never the other way: every page stays readable with its data, on node 0
 * or on the device, and none is mapped writable.
 */
TEST_F_TIMEOUT(zspm, map_numa_balancing_moves_pages_to_dram_only, 180)
{
	struct zspm *z = &self->z;
	int nid = device_node(z), ms;
	const long n = 64;
	struct region r;
	long moved = 0;

	if (access(NUMA_BALANCING, W_OK))
		SKIP(return, "no %s: kernel without CONFIG_NUMA_BALANCING", NUMA_BALANCING);
	map_region(_metadata, z, &r, n, 0x5eed1e01);
	ASSERT_EQ(0, set_str(NUMA_BALANCING, "", "1"));
	for (ms = 0; ms < 20000; ms += 100) {
		EXPECT_EQ(byte_sum(z, r.copy, n), byte_sum(z, r.data, n));
		moved = pages_on(z, &r, 0);
		if (moved == n)
			break;
		usleep(100000);
	}
	ksft_print_msg("NUMA balancing moved %ld of %ld device pages to DRAM in %d ms\n",
		       moved, n, ms);
	EXPECT_EQ(n, moved + pages_on(z, &r, nid));
	check_data(_metadata, z, &r);
	no_writable_device_ptes(_metadata, z);
}

/* Bad input to zswap.spm_map is refused, and leaves it as it was. */
TEST_F_TIMEOUT(zspm, map_rejects_bad_input, 60)
{
	char buf[8];

	EXPECT_EQ(-EINVAL, set_str(PARAM, "spm_map", "maybe"));
	ASSERT_EQ(0, get_str(PARAM, "spm_map", buf, sizeof(buf)));
	EXPECT_STREQ("N", buf);
}

TEST_HARNESS_MAIN
