// SPDX-License-Identifier: GPL-2.0
/*
 * cxl_compressed: admission control keeps a compressed CXL memory expander's
 * physical usage within its capacity, whatever the data stored on it.
 *
 * Needs a dax device bound to cxl_compressed with the emulated lz4 engine
 * (cxl_compressed.model=lz4, the test VM's default) and
 * CONFIG_CXL_COMPRESSED_TEST, whose debugfs test consumer stores the pages
 * written to test_store on the device through the consumer API.
 *
 * Every test starts from an empty device with PHYS_BYTES of physical
 * capacity, default watermarks and engine settings and no injection, and
 * gives the device back empty with its defaults.  The device is assumed to
 * have no other consumer while the tests run.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "spm_util.h"

#define DAX "/sys/bus/dax/devices/"
#define DRV "/sys/bus/dax/drivers/cxl_compressed/"
#define KMEM "/sys/bus/dax/drivers/kmem/"
#define REGION DAX "dax0.0/../dax_region/"
#define DBG "/sys/kernel/debug/cxl_compressed/"
#define NODES "/sys/devices/system/node/"
#define TRACE_EV "/sys/kernel/tracing/events/cxl_compressed/cxl_compressed_pressure/"
#define TRACE "/sys/kernel/tracing/trace"

#define KIB 1024ULL
#define MIB (1024 * KIB)
/* The physical capacity the tests give the device: 8192 pages of 4 KiB. */
#define PHYS_BYTES (32 * MIB)
/* Bytes per test_store write (test_store takes at most 1 MiB). */
#define CHUNK (256 * KIB)
/* How long to wait for what the next telemetry reading brings. */
#define WAIT_MS 10000
/* What 1024 zero pages may cost at most: nothing, give or take metadata. */
#define ZERO_PAGES_MAX_BYTES (64 * KIB)

enum content { RANDOM, TEXT, ZERO };

static const char * const levels[] = { "none", "low", "high", "critical" };

enum { NONE, LOW, HIGH, CRITICAL };

/* The device's settings: a failed write must leave all of them unchanged. */
static const char * const settings[] = {
	"physical_bytes", "watermark_low", "watermark_high", "watermark_critical",
	"model_granule", "model_ratio_percent", "model_telemetry_ms",
};

/* The device under test. */
struct ccm {
	char dev[32];		/* daxX.Y */
	char sys[128];		/* its compressed/ sysfs directory, with a '/' */
	char dbg[128];		/* its debugfs directory, with a '/' */
	long page;
	unsigned long long logical;
	int nid;		/* its node */
	char *buf;		/* CHUNK bytes */
	char scrub[16];		/* the scrub method it had */
};

FIXTURE(ccm) {
	struct ccm d;
};

/* Read @dir@attr without its trailing newline; returns 0 or -errno. */
static int get_str(const char *dir, const char *attr, char *buf, size_t len)
{
	char path[256];
	int n;

	snprintf(path, sizeof(path), "%s%s", dir, attr);
	n = read_file(path, buf, len);
	if (n < 0)
		return n;
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* Read a decimal @dir@attr; returns 0, -errno, or -EINVAL if not a number. */
static int get_u64(const char *dir, const char *attr, unsigned long long *val)
{
	char buf[64], *end;
	int rc = get_str(dir, attr, buf, sizeof(buf));

	if (rc)
		return rc;
	if (buf[0] < '0' || buf[0] > '9')
		return -EINVAL;
	errno = 0;
	*val = strtoull(buf, &end, 10);
	return errno || *end ? -EINVAL : 0;
}

/* Write @val to @dir@attr; returns 0 or -errno. */
static int set_str(const char *dir, const char *attr, const char *val)
{
	char path[256];

	snprintf(path, sizeof(path), "%s%s", dir, attr);
	return write_file(path, val);
}

static int set_u64(const char *dir, const char *attr, unsigned long long val)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%llu", val);
	return set_str(dir, attr, buf);
}

/* A number the test needs: failing to read it fails the test. */
static unsigned long long num(struct __test_metadata *_metadata, const char *dir,
			      const char *attr)
{
	unsigned long long val = 0;
	int rc = get_u64(dir, attr, &val);

	ASSERT_EQ(0, rc) TH_LOG("reading %s%s: %s", dir, attr, strerror(-rc));
	return val;
}

/* A string the test needs, without its newline. */
static void word(struct __test_metadata *_metadata, const char *dir, const char *attr,
		 char *buf, size_t len)
{
	int rc = get_str(dir, attr, buf, len);

	ASSERT_EQ(0, rc) TH_LOG("reading %s%s: %s", dir, attr, strerror(-rc));
}

/*
 * Wait up to @ms milliseconds for @dir@attr to read @want; returns whether it
 * did.  @last gets the last value read.
 */
static bool wait_for(const char *dir, const char *attr, const char *want, int ms,
		     char *last, size_t len)
{
	for (;;) {
		if (get_str(dir, attr, last, len))
			snprintf(last, len, "(unreadable)");
		else if (!strcmp(last, want))
			return true;
		if (ms <= 0)
			return false;
		usleep(10000);
		ms -= 10;
	}
}

/* @dir@attr reads @want within WAIT_MS; the test fails if not. */
static bool reaches(struct __test_metadata *_metadata, const char *dir, const char *attr,
		    const char *want)
{
	char last[64];
	bool ok = wait_for(dir, attr, want, WAIT_MS, last, sizeof(last));

	EXPECT_TRUE(ok) TH_LOG("%s%s reads \"%s\", not \"%s\", after %d ms",
			       dir, attr, last, want, WAIT_MS);
	return ok;
}

static int level_of(const char *s)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(levels); i++)
		if (!strcmp(s, levels[i]))
			return i;
	return -1;
}

/* "X.YY" as X * 100 + YY, or -1 if @s is not in that form. */
static int ratio_x100(const char *s)
{
	int whole = 0, digits = 0;

	for (; *s >= '0' && *s <= '9' && digits < 3; s++, digits++)
		whole = whole * 10 + *s - '0';
	if (!digits || s[0] != '.' || s[1] < '0' || s[1] > '9' ||
	    s[2] < '0' || s[2] > '9' || s[3])
		return -1;
	return whole * 100 + (s[1] - '0') * 10 + s[2] - '0';
}

/* @percent of @bytes, rounded down to a page, as the default watermarks are. */
static unsigned long long pct(unsigned long long bytes, int percent, long page)
{
	return bytes * percent / 100 / page * page;
}

/* Write @len bytes of @buf to test_store; returns the bytes stored or -errno. */
static long store(struct ccm *d, const void *buf, size_t len)
{
	char path[256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%stest_store", d->dbg);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	n = write(fd, buf, len);
	if (n < 0)
		n = -errno;
	close(fd);
	return n;
}

/* Free the @pages most recently stored pages, or all if 0. */
static int release(struct ccm *d, unsigned long pages)
{
	return set_u64(d->dbg, "test_release", pages);
}

/* Wait until the device has accounted everything written and scrubbed. */
static int settle(struct ccm *d)
{
	return set_str(d->dbg, "settle", "1");
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
	"about", "above", "according", "account", "across", "actually", "addition",
	"address", "administration", "admission", "afternoon", "against", "agreement",
	"allocation", "already", "although", "analysis", "ancient", "another",
	"anything", "apartment", "application", "approach", "architecture", "argument",
	"around", "article", "attention", "audience", "authority", "available",
	"backwards", "balance", "beautiful", "because", "becoming", "before",
	"beginning", "behaviour", "believe", "beneath", "between", "beyond",
	"birthday", "boundary", "breakfast", "brilliant", "brother", "building",
	"business", "calendar", "capacity", "captain", "careful", "carriage",
	"category", "celebrate", "century", "certainly", "chairman", "challenge",
	"champion", "character", "children", "chocolate", "circumstance", "citizen",
	"collection", "colour", "comfortable", "committee", "common", "community",
	"company", "complete", "compressed", "computer", "condition", "conference",
	"connection", "consider", "consumer", "continue", "contract", "control",
	"conversation", "corridor", "country", "courage", "creature", "crimson",
	"culture", "customer", "dangerous", "daughter", "december", "decision",
	"definitely", "delivery", "department", "describe", "description", "desert",
	"determine", "develop", "development", "device", "different", "difficult",
	"dinosaur", "direction", "discover", "discussion", "distance", "document",
	"driver", "economic", "education", "effective", "election", "electric",
	"elephant", "emerald", "employee", "encourage", "engineer", "enormous",
	"environment", "equipment", "especially", "evening", "everybody", "everything",
	"evidence", "exactly", "example", "excellent", "exercise", "experience",
	"experiment", "explain", "expression", "families", "favourite", "february",
	"festival", "finally", "following", "foreign", "forever", "forgotten",
	"fortune", "forward", "founder", "freedom", "friendly", "function",
	"furniture", "garden", "gathering", "general", "generation", "gentleman",
	"government", "granule", "grateful", "guardian", "happiness", "harbour",
	"headquarters", "history", "holiday", "hospital", "however", "hundred",
	"identity", "imagine", "important", "impossible", "improvement", "include",
	"increase", "independent", "industry", "influence", "information", "instrument",
	"interest", "international", "investment", "island", "journey", "judgement",
	"kernel", "kingdom", "kitchen", "knowledge", "landscape", "language",
	"learning", "library", "lightning", "listening", "literature", "location",
	"logical", "machine", "magazine", "management", "material", "measurement",
	"medicine", "meeting", "memory", "message", "midnight", "minister",
	"mountain", "movement", "mystery", "national", "natural", "necessary",
	"neighbour", "network", "newspaper", "nothing", "november", "numerous",
	"objective", "occasion", "ocean", "official", "operation", "opinion",
	"opportunity", "ordinary", "organisation", "original", "otherwise", "painting",
	"particular", "passenger", "payment", "peaceful", "perhaps", "performance",
	"personal", "physical", "political", "population", "position", "possible",
	"potential", "practice", "president", "pressure", "probably", "problem",
	"process", "produce", "product", "professor", "programme", "property",
	"provide", "question", "quickly", "reaction", "reality", "recognise",
	"recommend", "reference", "region", "relationship", "remember", "represent",
	"republic", "research", "resource", "response", "restaurant", "schedule",
	"scientist", "secretary", "security", "sentence", "september", "serious",
	"shipping", "situation", "something", "sometimes", "special", "statement",
	"strategy", "strength", "structure", "student", "suddenly", "summer",
	"supplier", "surface", "telemetry", "telephone", "television", "temperature",
	"thousand", "thunder", "together", "tomorrow", "traditional", "treatment",
	"understand", "universe", "university", "usually", "vegetable", "village",
	"violet", "watermark", "weather", "whatever", "whenever", "wonderful",
	"yesterday", "the", "and", "of", "to", "in", "is", "was", "for", "with",
	"that", "on", "as", "by", "at", "from", "it", "or", "an", "be",
};

/*
 * Words per page: each page is a paragraph on a topic of this many words
 * drawn from the vocabulary.  Drawing every word from the whole vocabulary
 * gives text that LZ4 compresses only ~1.5x in a 4 KiB page; with 16-word
 * topics it compresses 2.5-3.2x (1.3-1.7 KiB per page with liblz4).
 */
#define TOPIC_WORDS 16

/* Text-like data: words, commas, full stops and line breaks. */
static void text_page(char *p, long len, uint64_t *x)
{
	unsigned int topic[TOPIC_WORDS], i;
	const char *w;
	bool cap = true;
	int words = 0;
	long n = 0;
	uint64_t r;

	for (i = 0; i < TOPIC_WORDS; i++)
		topic[i] = next64(x) % ARRAY_SIZE(vocab);
	while (n < len) {
		r = next64(x);
		w = vocab[topic[(r >> 32) % TOPIC_WORDS]];
		p[n++] = cap ? *w - 'a' + 'A' : *w;
		for (w++; *w && n < len; w++)
			p[n++] = *w;
		cap = false;
		if (n < len && (r & 0xff) < 16) {
			p[n++] = '.';
			cap = true;
		} else if (n < len && (r & 0xff) < 32) {
			p[n++] = ',';
		}
		if (n < len)
			p[n++] = ++words % 12 ? ' ' : '\n';
	}
}

/* Page @idx of the @kind data stream @seed: the same arguments, the same page. */
static void fill_page(char *p, long len, enum content kind, uint64_t seed, unsigned long idx)
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
	case TEXT:
		text_page(p, len, &x);
		break;
	case ZERO:
		memset(p, 0, len);
		break;
	}
}

/*
 * Store pages @first..@first+@count-1 of a data stream, CHUNK bytes a write;
 * returns 0, -errno, or -ENOSPC if a write stored only part of its pages.
 */
static int store_range(struct ccm *d, enum content kind, uint64_t seed,
		       unsigned long first, unsigned long count)
{
	unsigned long per = CHUNK / d->page, n, i;
	long rc;

	while (count) {
		n = count < per ? count : per;
		for (i = 0; i < n; i++)
			fill_page(d->buf + i * d->page, d->page, kind, seed, first + i);
		rc = store(d, d->buf, n * d->page);
		if (rc < 0)
			return rc;
		if (rc != n * d->page)
			return -ENOSPC;
		first += n;
		count -= n;
	}
	return 0;
}

/* Read up to @len bytes, fewer only at the end of the file. */
static long read_full(int fd, char *buf, long len)
{
	long total = 0, n;

	while (total < len) {
		n = read(fd, buf + total, len - total);
		if (n < 0)
			return -errno;
		if (!n)
			break;
		total += n;
	}
	return total;
}

/* test_data holds pages 0..@pages-1 of the data stream, exactly. */
static void check_data(struct __test_metadata *_metadata, struct ccm *d,
		       enum content kind, uint64_t seed, unsigned long pages)
{
	unsigned long idx = 0, bad = 0, first_bad = 0;
	long page = d->page, got, off;
	char path[256], *want;
	int fd;

	want = malloc(page);
	ASSERT_NE(NULL, want);
	snprintf(path, sizeof(path), "%stest_data", d->dbg);
	fd = open(path, O_RDONLY);
	ASSERT_LE(0, fd) TH_LOG("%s: %s", path, strerror(errno));
	do {
		got = read_full(fd, d->buf, CHUNK);
		ASSERT_LE(0, got) TH_LOG("reading %s: %s", path, strerror(-got));
		ASSERT_EQ(0, got % page) TH_LOG("%s ends in a partial page", path);
		for (off = 0; off < got; off += page, idx++) {
			if (idx >= pages)
				continue;
			fill_page(want, page, kind, seed, idx);
			if (memcmp(want, d->buf + off, page) && !bad++)
				first_bad = idx;
		}
	} while (got == CHUNK);
	close(fd);
	free(want);
	EXPECT_EQ(pages, idx) TH_LOG("test_data holds %lu pages, %lu were stored", idx, pages);
	EXPECT_EQ(0, bad) TH_LOG("%lu of %lu pages differ from what was stored, first page %lu",
				 bad, pages, first_bad);
}

/* The device's usage, as reported and as it really is, fits its capacity. */
static void check_fits(struct __test_metadata *_metadata, struct ccm *d,
		       unsigned long long phys, unsigned long pages)
{
	unsigned long long used = num(_metadata, d->sys, "physical_used_bytes");
	unsigned long long real = num(_metadata, d->dbg, "model_used_bytes");

	ASSERT_LE(used, phys) TH_LOG("physical_used_bytes %llu > physical_bytes %llu, %lu pages",
				     used, phys, pages);
	ASSERT_LE(real, phys) TH_LOG("model_used_bytes %llu > physical_bytes %llu, %lu pages",
				     real, phys, pages);
}

/*
 * Store pages of a data stream until the device refuses them even right
 * after settling; returns the pages stored.  After every write the device's
 * usage must fit its capacity, and the final refusal must be due: no room
 * for one more page below watermark_critical, or the level critical.
 */
static unsigned long fill(struct __test_metadata *_metadata, struct ccm *d,
			  enum content kind, uint64_t seed, unsigned long max_pages)
{
	unsigned long long phys = num(_metadata, d->sys, "physical_bytes");
	unsigned long long crit = num(_metadata, d->sys, "watermark_critical");
	unsigned long per = CHUNK / d->page, pages = 0, i;
	unsigned long long bound;
	bool settled = false;
	char level[32];
	long n;

	for (;;) {
		ASSERT_GT(max_pages, pages) TH_LOG("%lu pages stored and none refused", pages);
		for (i = 0; i < per; i++)
			fill_page(d->buf + i * d->page, d->page, kind, seed, pages + i);
		n = store(d, d->buf, CHUNK);
		if (n == -ENOSPC && settled)
			break;
		if (n == -ENOSPC) {
			/* Pages still pending count as full pages: account them. */
			ASSERT_EQ(0, settle(d));
			settled = true;
			check_fits(_metadata, d, phys, pages);
			continue;
		}
		ASSERT_LT(0, n) TH_LOG("test_store: %s", strerror(-n));
		ASSERT_EQ(0, n % d->page);
		pages += n / d->page;
		settled = false;
		check_fits(_metadata, d, phys, pages);
	}
	EXPECT_EQ(0, num(_metadata, d->sys, "pending_pages"));
	bound = num(_metadata, d->sys, "used_bound_bytes");
	word(_metadata, d->sys, "pressure", level, sizeof(level));
	EXPECT_TRUE(bound + d->page > crit || !strcmp(level, "critical"))
		TH_LOG("refused with used_bound_bytes %llu, watermark_critical %llu, pressure %s",
		       bound, crit, level);
	return pages;
}

/* Is the device bound to cxl_compressed? */
static bool bound_here(struct ccm *d)
{
	char path[128], link[256], *name;
	ssize_t n;

	snprintf(path, sizeof(path), DAX "%s/driver", d->dev);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return false;
	link[n] = '\0';
	name = strrchr(link, '/');
	return !strcmp(name ? name + 1 : link, "cxl_compressed");
}

/* The memory blocks of node @nid; @online gets how many are online. */
static int node_blocks(int nid, int *online)
{
	char path[320], state[32];
	struct dirent *de;
	int n = 0;
	DIR *d;

	*online = 0;
	snprintf(path, sizeof(path), NODES "node%d", nid);
	d = opendir(path);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "memory", 6) || de->d_name[6] < '0' || de->d_name[6] > '9')
			continue;
		n++;
		snprintf(path, sizeof(path), NODES "node%d/%.32s/state", nid, de->d_name);
		if (read_file(path, state, sizeof(state)) > 0 && !strcmp(state, "online\n"))
			(*online)++;
	}
	closedir(d);
	return n;
}

/* Bind the device again: new_id re-runs the driver's attach. */
static int rebind(struct ccm *d)
{
	char path[256];
	int rc, ms;

	rc = write_file(DRV "new_id", d->dev);
	if (rc)
		return rc;
	snprintf(path, sizeof(path), "%stest_store", d->dbg);
	for (ms = 0; ms < WAIT_MS; ms += 10) {
		if (!access(d->sys, F_OK) && !access(path, F_OK))
			return 0;
		usleep(10000);
	}
	return -ETIMEDOUT;
}

static void keep_first(int *err, int rc)
{
	if (rc && !*err)
		*err = rc;
}

/*
 * Empty the device, turn the injections off, give it @phys bytes of physical
 * capacity (which resets the watermarks) and the engine's default settings.
 * Returns 0 or the first error.
 */
static int reset(struct ccm *d, unsigned long long phys)
{
	char last[32];
	int err = 0;

	keep_first(&err, set_str(d->dbg, "inject_telemetry_failure", "0"));
	/* An operator's clear of an alarm a failed test left. */
	keep_first(&err, set_str(d->sys, "telemetry", "ok"));
	keep_first(&err, set_str(d->dbg, "inject_pressure", "off"));
	keep_first(&err, set_str(d->dbg, "inject_used_bytes", "0"));
	keep_first(&err, set_str(d->sys, "model_telemetry_ms", "20"));
	/* QEMU's Media Operations take seconds: the tests scrub by CPU. */
	keep_first(&err, set_str(d->sys, "scrub", "cpu"));
	keep_first(&err, release(d, 0));
	keep_first(&err, settle(d));
	if (!wait_for(d->sys, "telemetry", "ok", WAIT_MS, last, sizeof(last)))
		keep_first(&err, -ETIMEDOUT);
	keep_first(&err, set_u64(d->sys, "physical_bytes", phys));
	keep_first(&err, set_str(d->sys, "model_granule", "256"));
	keep_first(&err, settle(d));
	return err;
}

FIXTURE_SETUP(ccm)
{
	struct ccm *d = &self->d;
	char path[256], model[32];
	unsigned long long nid;
	glob_t g;
	int rc;

	if (glob(DAX "dax*/compressed", 0, NULL, &g) || !g.gl_pathc)
		SKIP(return, "no dax device is bound to cxl_compressed");
	rc = sscanf(g.gl_pathv[0] + strlen(DAX), "%31[^/]", d->dev);
	globfree(&g);
	ASSERT_EQ(1, rc);
	snprintf(d->sys, sizeof(d->sys), DAX "%s/compressed/", d->dev);
	snprintf(d->dbg, sizeof(d->dbg), DBG "%s/", d->dev);
	snprintf(path, sizeof(path), "%stest_store", d->dbg);
	if (access(path, W_OK))
		SKIP(return, "no %s: CONFIG_CXL_COMPRESSED_TEST off or debugfs not mounted", path);
	word(_metadata, d->sys, "model", model, sizeof(model));
	if (strcmp(model, "lz4"))
		SKIP(return, "%s: engine %s, not the emulated lz4 (cxl_compressed.model=lz4)",
		     d->dev, model);
	d->page = page_size();
	d->logical = num(_metadata, d->sys, "logical_bytes");
	snprintf(path, sizeof(path), DAX "%s/", d->dev);
	d->nid = get_u64(path, "target_node", &nid) ? first_spm_node() : (int)nid;
	d->buf = malloc(CHUNK);
	ASSERT_NE(NULL, d->buf);
	word(_metadata, d->sys, "scrub", d->scrub, sizeof(d->scrub));

	rc = reset(d, PHYS_BYTES);
	ASSERT_EQ(0, rc) TH_LOG("resetting %s: %s", d->dev, strerror(-rc));
	ASSERT_EQ(PHYS_BYTES, num(_metadata, d->sys, "physical_bytes"));
	ASSERT_EQ(0, num(_metadata, d->sys, "stored_pages"));
	ASSERT_EQ(0, num(_metadata, d->dbg, "test_held"));
	ASSERT_EQ(0, num(_metadata, d->sys, "pending_pages"));
	ASSERT_TRUE(reaches(_metadata, d->sys, "pressure", "none"));
}

FIXTURE_TEARDOWN(ccm)
{
	struct ccm *d = &self->d;
	int rc;

	/*
	 * No TH_LOG on the EXPECTs here: after a failed ASSERT the harness
	 * runs the teardown with its log trigger still set.
	 */
	/* A failed unbind_empty_then_rebind may have left the device unbound. */
	if (access(d->sys, F_OK)) {
		rc = rebind(d);
		if (rc)
			TH_LOG("%s could not be bound again: %s", d->dev, strerror(-rc));
		EXPECT_EQ(0, rc);
	}
	rc = reset(d, d->logical / 2);
	if (rc)
		TH_LOG("restoring %s: %s", d->dev, strerror(-rc));
	EXPECT_EQ(0, rc);
	set_str(d->sys, "model_ratio_percent", "200");
	if (d->scrub[0])
		EXPECT_EQ(0, set_str(d->sys, "scrub", d->scrub));
	free(d->buf);
}

/*
 * Random data does not compress: the device fills up at about one page of
 * physical capacity per page, and admission stops it before it overflows.
 */
TEST_F_TIMEOUT(ccm, incompressible_fill, 300)
{
	struct ccm *d = &self->d;
	unsigned long long crit, refused, admitted, alarms, real;
	const uint64_t seed = 0x5eed0001;
	unsigned long pages;

	crit = num(_metadata, d->sys, "watermark_critical");
	refused = num(_metadata, d->sys, "admissions_refused");
	admitted = num(_metadata, d->sys, "admissions");
	alarms = num(_metadata, d->sys, "alarms");

	pages = fill(_metadata, d, RANDOM, seed, 2 * PHYS_BYTES / d->page);

	real = num(_metadata, d->dbg, "model_used_bytes");
	ksft_print_msg("random: %lu pages (%llu KiB) stored, critical at %llu KiB, used %llu KiB\n",
		       pages, pages * d->page / KIB, crit / KIB, real / KIB);
	EXPECT_EQ(pages, num(_metadata, d->sys, "stored_pages"));
	EXPECT_EQ(pages, num(_metadata, d->dbg, "test_held"));
	EXPECT_LE(crit * 8, pages * d->page * 10)
		TH_LOG("only %lu pages stored, watermark_critical %llu bytes", pages, crit);
	EXPECT_EQ(0, num(_metadata, d->dbg, "model_poisoned"));
	EXPECT_EQ(alarms, num(_metadata, d->sys, "alarms"));
	EXPECT_LT(refused, num(_metadata, d->sys, "admissions_refused"));
	EXPECT_EQ(admitted + pages, num(_metadata, d->sys, "admissions"));
	check_data(_metadata, d, RANDOM, seed, pages);
}

/*
 * Text compresses 2-3x with LZ4: the device holds well more than its physical
 * capacity of it, and still never overflows.
 */
TEST_F_TIMEOUT(ccm, compressible_fill, 400)
{
	struct ccm *d = &self->d;
	unsigned long long phys, used, bound, stored, expect;
	const uint64_t seed = 0x5eed0002;
	unsigned long pages;
	char ratio[32];
	int x100;

	pages = fill(_metadata, d, TEXT, seed, 8 * PHYS_BYTES / d->page);

	phys = num(_metadata, d->sys, "physical_bytes");
	used = num(_metadata, d->sys, "physical_used_bytes");
	bound = num(_metadata, d->sys, "used_bound_bytes");
	stored = num(_metadata, d->sys, "stored_pages");
	word(_metadata, d->sys, "compression_ratio", ratio, sizeof(ratio));
	ksft_print_msg("text: %llu pages (%llu KiB) in %llu KiB physical, %llu KiB used, %s\n",
		       stored, stored * d->page / KIB, phys / KIB, used / KIB, ratio);
	EXPECT_EQ(pages, stored);
	EXPECT_LE(phys * 18, stored * d->page * 10)
		TH_LOG("%llu bytes of text in %llu bytes physical: less than 1.8x",
		       stored * d->page, phys);
	EXPECT_LE(used, phys);
	EXPECT_LE(num(_metadata, d->dbg, "model_used_bytes"), phys);
	EXPECT_EQ(0, num(_metadata, d->dbg, "model_poisoned"));
	x100 = ratio_x100(ratio);
	ASSERT_LE(0, x100) TH_LOG("compression_ratio \"%s\" is not X.YY", ratio);
	EXPECT_LE(180, x100) TH_LOG("compression_ratio %s", ratio);
	/* stored_pages * PAGE_SIZE / used_bound_bytes, to the hundredth */
	ASSERT_LT(0, bound);
	expect = stored * d->page * 100 / bound;
	expect = expect > 6400 ? 6400 : expect < 100 ? 100 : expect;
	EXPECT_LE(expect, x100 + 1) TH_LOG("compression_ratio %s, stored/bound is %llu/100",
					   ratio, expect);
	EXPECT_LE(x100, expect + 1) TH_LOG("compression_ratio %s, stored/bound is %llu/100",
					   ratio, expect);
	check_data(_metadata, d, TEXT, seed, pages);
}

/* Zero pages take no physical space. */
TEST_F_TIMEOUT(ccm, zero_pages_free, 120)
{
	struct ccm *d = &self->d;
	unsigned long long used, real;
	char ratio[32];

	ASSERT_EQ(0, store_range(d, ZERO, 0, 0, 1024));
	ASSERT_EQ(0, settle(d));
	used = num(_metadata, d->sys, "physical_used_bytes");
	real = num(_metadata, d->dbg, "model_used_bytes");
	EXPECT_EQ(1024, num(_metadata, d->sys, "stored_pages"));
	EXPECT_EQ(1024, num(_metadata, d->dbg, "test_held"));
	EXPECT_EQ(0, num(_metadata, d->sys, "pending_pages"));
	EXPECT_GT(ZERO_PAGES_MAX_BYTES, used) TH_LOG("1024 zero pages use %llu bytes", used);
	EXPECT_GT(ZERO_PAGES_MAX_BYTES, real) TH_LOG("1024 zero pages really use %llu bytes", real);
	/* 4 MiB in less than 64 KiB: more than 64x, clamped */
	word(_metadata, d->sys, "compression_ratio", ratio, sizeof(ratio));
	EXPECT_STREQ("64.00", ratio);
	check_data(_metadata, d, ZERO, 0, 1024);
}

/* Freed pages are scrubbed and the device gives their space back. */
TEST_F_TIMEOUT(ccm, scrub_on_free, 120)
{
	struct ccm *d = &self->d;
	const uint64_t seed = 0x5eed0004;
	unsigned long long all, part;
	char buf[32];

	ASSERT_EQ(0, store_range(d, RANDOM, seed, 0, 1024));
	ASSERT_EQ(0, settle(d));
	all = num(_metadata, d->sys, "physical_used_bytes");
	EXPECT_EQ(1024, num(_metadata, d->sys, "stored_pages"));
	EXPECT_LE(1024 * d->page * 3 / 4, all)
		TH_LOG("1024 random pages use only %llu bytes", all);

	/* test_release N frees the N most recent pages; the others stay. */
	ASSERT_EQ(0, release(d, 256));
	ASSERT_EQ(0, settle(d));
	part = num(_metadata, d->sys, "physical_used_bytes");
	EXPECT_EQ(768, num(_metadata, d->sys, "stored_pages"));
	EXPECT_GT(all, part);
	EXPECT_LT(all / 2, part);
	check_data(_metadata, d, RANDOM, seed, 768);

	ASSERT_EQ(0, release(d, 0));
	ASSERT_EQ(0, settle(d));
	EXPECT_EQ(0, num(_metadata, d->sys, "physical_used_bytes"));
	EXPECT_EQ(0, num(_metadata, d->sys, "used_bound_bytes"));
	EXPECT_EQ(0, num(_metadata, d->dbg, "model_used_bytes"));
	EXPECT_EQ(0, num(_metadata, d->sys, "stored_pages"));
	EXPECT_EQ(0, num(_metadata, d->sys, "pending_pages"));
	EXPECT_EQ(0, num(_metadata, d->dbg, "test_held"));
	word(_metadata, d->sys, "compression_ratio", buf, sizeof(buf));
	EXPECT_STREQ("1.00", buf);
	reaches(_metadata, d->sys, "pressure", "none");
}

/*
 * The device zeroes freed pages itself (CXL Media Operations, Zero): the
 * emulated device measures what the pages hold, so their space comes back
 * only if they really are zero, and the pages still held keep every byte.
 */
TEST_F_TIMEOUT(ccm, scrub_by_media_operations, 300)
{
	struct ccm *d = &self->d;
	const uint64_t seed = 0x5eed0009;
	unsigned long long all;
	int rc;

	rc = set_str(d->sys, "scrub", "media");
	if (rc == -EOPNOTSUPP)
		SKIP(return, "%s offers no Media Operations Zero", d->dev);
	ASSERT_EQ(0, rc);
	ASSERT_EQ(0, store_range(d, RANDOM, seed, 0, 1024));
	ASSERT_EQ(0, settle(d));
	all = num(_metadata, d->sys, "physical_used_bytes");
	EXPECT_LE(1024 * d->page * 3 / 4, all);

	ASSERT_EQ(0, release(d, 512));
	ASSERT_EQ(0, settle(d));
	EXPECT_EQ(512, num(_metadata, d->sys, "stored_pages"));
	EXPECT_GT(all * 3 / 4, num(_metadata, d->dbg, "model_used_bytes"));
	check_data(_metadata, d, RANDOM, seed, 512);

	ASSERT_EQ(0, release(d, 0));
	ASSERT_EQ(0, settle(d));
	EXPECT_EQ(0, num(_metadata, d->dbg, "model_used_bytes"));
	EXPECT_EQ(0, num(_metadata, d->sys, "physical_used_bytes"));
	EXPECT_EQ(0, num(_metadata, d->sys, "stored_pages"));
	ASSERT_EQ(0, set_str(d->sys, "scrub", "cpu"));
}

/* Wait up to @ms for a uevent of @dev that carries @env. */
static bool uevent_seen(int sock, const char *dev, const char *env, int ms)
{
	char buf[4096];
	bool has_dev, has_env;
	ssize_t n, i;

	for (; ms > 0; ms -= 100) {
		n = recv(sock, buf, sizeof(buf) - 1, 0);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		has_dev = false;
		has_env = false;
		/* "action@devpath", then NUL-separated KEY=value pairs. */
		for (i = 0; i < n; i += strlen(buf + i) + 1) {
			if (!strncmp(buf + i, "DEVPATH=", 8) &&
			    strstr(buf + i, dev))
				has_dev = true;
			if (!strcmp(buf + i, env))
				has_env = true;
		}
		if (has_dev && has_env)
			return true;
	}
	return false;
}

/* The trace buffer holds a line with both @a and @b. */
static bool trace_has(const char *a, const char *b)
{
	char line[512];
	bool found = false;
	FILE *f = fopen(TRACE, "r");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, a) && strstr(line, b);
	fclose(f);
	return found;
}

/*
 * Besides the pollable attribute, a level change is a KOBJ_CHANGE uevent
 * with CXL_COMPRESSED_PRESSURE=<level> and a cxl_compressed_pressure
 * tracepoint.
 */
TEST_F_TIMEOUT(ccm, pressure_uevent_and_tracepoint, 120)
{
	struct sockaddr_nl addr = {
		.nl_family = AF_NETLINK,
		.nl_groups = 1,
	};
	struct timeval tv = { .tv_usec = 100000 };
	struct ccm *d = &self->d;
	bool tracing;
	int sock;

	sock = socket(AF_NETLINK, SOCK_DGRAM, NETLINK_KOBJECT_UEVENT);
	ASSERT_LE(0, sock);
	ASSERT_EQ(0, bind(sock, (struct sockaddr *)&addr, sizeof(addr)));
	ASSERT_EQ(0, setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
	tracing = !write_file(TRACE_EV "enable", "1");
	if (tracing)
		close(open(TRACE, O_WRONLY | O_TRUNC));
	else
		ksft_print_msg("no tracefs event %s: tracepoint not checked\n",
			       TRACE_EV);

	ASSERT_EQ(0, set_str(d->dbg, "inject_pressure", "high"));
	EXPECT_TRUE(uevent_seen(sock, d->dev, "CXL_COMPRESSED_PRESSURE=high",
				WAIT_MS));
	if (tracing)
		EXPECT_TRUE(trace_has(d->dev, "pressure none -> high"));

	ASSERT_EQ(0, set_str(d->dbg, "inject_pressure", "off"));
	EXPECT_TRUE(uevent_seen(sock, d->dev, "CXL_COMPRESSED_PRESSURE=none",
				WAIT_MS));
	if (tracing) {
		EXPECT_TRUE(trace_has(d->dev, "pressure high -> none"));
		write_file(TRACE_EV "enable", "0");
	}
	close(sock);
}

/* Read a pollable attribute again from its start. */
static int reread(int fd, char *buf, size_t len)
{
	ssize_t n;

	if (lseek(fd, 0, SEEK_SET) < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/*
 * pressure wakes up poll() when the level changes, and falls back only below
 * the watermark minus the hysteresis.
 */
TEST_F_TIMEOUT(ccm, pressure_poll, 180)
{
	struct ccm *d = &self->d;
	unsigned long long phys, low, hyst, bound, held, each, drop;
	const uint64_t seed = 0x5eed0005;
	char path[256], level[32];
	struct pollfd pfd;
	unsigned long pages;
	int rc, status;
	pid_t pid;

	phys = num(_metadata, d->sys, "physical_bytes");
	low = 4 * MIB;
	ASSERT_EQ(0, set_u64(d->sys, "watermark_low", low));
	ASSERT_EQ(low, num(_metadata, d->sys, "watermark_low"));
	ASSERT_LT(low + 2 * MIB, num(_metadata, d->sys, "watermark_high"));
	pages = (low + MIB) / d->page;

	snprintf(path, sizeof(path), "%spressure", d->sys);
	pfd.fd = open(path, O_RDONLY);
	ASSERT_LE(0, pfd.fd) TH_LOG("%s: %s", path, strerror(errno));
	ASSERT_EQ(0, reread(pfd.fd, level, sizeof(level)));
	ASSERT_STREQ("none", level);

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		usleep(200000);
		_exit(store_range(d, RANDOM, seed, 0, pages) ? 1 : 0);
	}
	/* No ASSERT until the child is reaped: it must not outlive the test. */
	pfd.events = POLLPRI | POLLERR;
	rc = poll(&pfd, 1, 20000);
	EXPECT_EQ(1, rc) TH_LOG("no pressure notification in 20 s (poll: %d)", rc);
	EXPECT_TRUE(pfd.revents & (POLLPRI | POLLERR));
	rc = reread(pfd.fd, level, sizeof(level));
	EXPECT_EQ(0, rc);
	EXPECT_LE(LOW, level_of(level)) TH_LOG("pressure after the notification: \"%s\"", level);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status))
		TH_LOG("the child could not store %lu pages", pages);

	ASSERT_EQ(0, settle(d));
	reaches(_metadata, d->sys, "pressure", "low");
	bound = num(_metadata, d->sys, "used_bound_bytes");
	held = num(_metadata, d->dbg, "test_held");
	ASSERT_EQ(pages, held);
	ASSERT_LE(low, bound);

	/* Just below low, within the hysteresis (2% of physical_bytes): still low. */
	hyst = phys * 2 / 100;
	each = bound / held;
	drop = (bound - (low - hyst / 2) + each - 1) / each;
	ASSERT_EQ(0, release(d, drop));
	ASSERT_EQ(0, settle(d));
	bound = num(_metadata, d->sys, "used_bound_bytes");
	EXPECT_GT(low, bound);
	EXPECT_LE(low - hyst, bound);
	word(_metadata, d->sys, "pressure", level, sizeof(level));
	EXPECT_STREQ("low", level) TH_LOG("used_bound_bytes %llu, watermark_low %llu", bound, low);

	/* Empty: the level falls to none, and poll() hears of it. */
	ASSERT_EQ(0, release(d, 0));
	ASSERT_EQ(0, settle(d));
	reaches(_metadata, d->sys, "pressure", "none");
	pfd.revents = 0;
	EXPECT_EQ(1, poll(&pfd, 1, 0)) TH_LOG("no notification when the level fell");
	ASSERT_EQ(0, reread(pfd.fd, level, sizeof(level)));
	EXPECT_STREQ("none", level);
	close(pfd.fd);
}

/* Without telemetry the usage is unknown: the device admits nothing. */
TEST_F_TIMEOUT(ccm, telemetry_failure_stops_admission, 120)
{
	struct ccm *d = &self->d;
	unsigned long long refused;

	fill_page(d->buf, d->page, RANDOM, 0x5eed0006, 0);
	refused = num(_metadata, d->sys, "admissions_refused");
	ASSERT_EQ(0, set_str(d->dbg, "inject_telemetry_failure", "1"));
	reaches(_metadata, d->sys, "telemetry", "failed");
	EXPECT_EQ(-ENOSPC, store(d, d->buf, d->page));
	reaches(_metadata, d->sys, "pressure", "critical");
	EXPECT_LT(refused, num(_metadata, d->sys, "admissions_refused"));
	EXPECT_EQ(0, num(_metadata, d->dbg, "test_held"));

	ASSERT_EQ(0, set_str(d->dbg, "inject_telemetry_failure", "0"));
	ASSERT_EQ(0, settle(d));
	reaches(_metadata, d->sys, "telemetry", "ok");
	reaches(_metadata, d->sys, "pressure", "none");
	EXPECT_EQ(d->page, store(d, d->buf, d->page));
	EXPECT_EQ(1, num(_metadata, d->dbg, "test_held"));
}

/* alarms once the driver has counted up to @want (it counts off the IRQ). */
static unsigned long long alarms_reach(struct __test_metadata *_metadata, struct ccm *d,
				       unsigned long long want)
{
	unsigned long long n = 0;
	int i;

	for (i = 0; i < 500; i++) {
		n = num(_metadata, d->sys, "alarms");
		if (n >= want)
			break;
		usleep(10000);
	}
	return n;
}

/*
 * The device's alarm (here its real usage above a lowered critical
 * watermark) stops admission and holds through readings above the mark;
 * an operator clears it, and so does a reading below the mark, also after
 * an alarm raised from hard interrupt context.  The emulated device takes
 * a reading after writes and scrubs, and at each settle.
 */
TEST_F_TIMEOUT(ccm, alarm_holds_until_cleared, 120)
{
	struct ccm *d = &self->d;
	const unsigned long pages = 16;
	unsigned long long alarms, low, high, crit;
	unsigned long i;
	char buf[32];

	for (i = 0; i < pages; i++)
		fill_page(d->buf + i * d->page, d->page, RANDOM, 0x5eed0011, i);
	ASSERT_EQ(pages * d->page, store(d, d->buf, pages * d->page));
	ASSERT_EQ(0, settle(d));
	alarms = num(_metadata, d->sys, "alarms");
	low = num(_metadata, d->sys, "watermark_low");
	high = num(_metadata, d->sys, "watermark_high");
	crit = num(_metadata, d->sys, "watermark_critical");
	ASSERT_EQ(0, set_u64(d->sys, "watermark_low", d->page));
	ASSERT_EQ(0, set_u64(d->sys, "watermark_high", 2 * d->page));
	ASSERT_EQ(0, set_u64(d->sys, "watermark_critical", 4 * d->page));

	/* The next reading is above critical: the device raises its alarm. */
	ASSERT_EQ(0, settle(d));
	reaches(_metadata, d->sys, "telemetry", "alarm");
	EXPECT_EQ(alarms + 1, alarms_reach(_metadata, d, alarms + 1));
	reaches(_metadata, d->sys, "pressure", "critical");
	/* More readings, all above critical: it holds. */
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, settle(d));
	word(_metadata, d->sys, "telemetry", buf, sizeof(buf));
	EXPECT_STREQ("alarm", buf);
	EXPECT_EQ(-ENOSPC, store(d, d->buf, d->page));

	/* The operator clears it; the device does not raise it again. */
	EXPECT_EQ(-EINVAL, set_str(d->sys, "telemetry", "failed"));
	ASSERT_EQ(0, set_str(d->sys, "telemetry", "ok"));
	ASSERT_EQ(0, settle(d));
	word(_metadata, d->sys, "telemetry", buf, sizeof(buf));
	EXPECT_STREQ("ok", buf);
	EXPECT_EQ(alarms + 1, num(_metadata, d->sys, "alarms"));

	/* Emptied, with its watermarks back, the device reads below critical. */
	ASSERT_EQ(0, release(d, 0));
	ASSERT_EQ(0, settle(d));
	ASSERT_EQ(0, set_u64(d->sys, "watermark_critical", crit));
	ASSERT_EQ(0, set_u64(d->sys, "watermark_high", high));
	ASSERT_EQ(0, set_u64(d->sys, "watermark_low", low));
	reaches(_metadata, d->sys, "pressure", "none");

	/*
	 * An alarm from hard interrupt context holds until a reading; the
	 * next, below critical, clears it.
	 */
	ASSERT_EQ(0, set_u64(d->dbg, "inject_alarm", crit + d->page));
	EXPECT_EQ(alarms + 2, alarms_reach(_metadata, d, alarms + 2));
	word(_metadata, d->sys, "telemetry", buf, sizeof(buf));
	EXPECT_STREQ("alarm", buf);
	EXPECT_EQ(-ENOSPC, store(d, d->buf, d->page));
	ASSERT_EQ(0, settle(d));
	reaches(_metadata, d->sys, "telemetry", "ok");
	reaches(_metadata, d->sys, "pressure", "none");
	EXPECT_EQ(d->page, store(d, d->buf, d->page));
}

/* A level forced to critical, or usage up to watermark_critical, stops admission. */
TEST_F_TIMEOUT(ccm, injected_pressure_and_usage, 120)
{
	struct ccm *d = &self->d;
	unsigned long long crit, refused, used;
	long page = d->page;

	crit = num(_metadata, d->sys, "watermark_critical");
	fill_page(d->buf, page, RANDOM, 0x5eed0007, 0);

	refused = num(_metadata, d->sys, "admissions_refused");
	ASSERT_EQ(0, set_str(d->dbg, "inject_pressure", "critical"));
	reaches(_metadata, d->sys, "pressure", "critical");
	EXPECT_EQ(-ENOSPC, store(d, d->buf, page));
	EXPECT_LT(refused, num(_metadata, d->sys, "admissions_refused"));
	/* Below critical the device still admits. */
	ASSERT_EQ(0, set_str(d->dbg, "inject_pressure", "high"));
	reaches(_metadata, d->sys, "pressure", "high");
	EXPECT_EQ(page, store(d, d->buf, page));
	ASSERT_EQ(0, set_str(d->dbg, "inject_pressure", "off"));
	reaches(_metadata, d->sys, "pressure", "none");
	EXPECT_EQ(page, store(d, d->buf, page));

	ASSERT_EQ(0, settle(d));
	used = num(_metadata, d->sys, "physical_used_bytes");
	refused = num(_metadata, d->sys, "admissions_refused");
	ASSERT_EQ(0, set_u64(d->dbg, "inject_used_bytes", crit));
	/* The injection takes effect at once. */
	EXPECT_EQ(used + crit, num(_metadata, d->sys, "physical_used_bytes"));
	EXPECT_EQ(-ENOSPC, store(d, d->buf, page));
	EXPECT_LT(refused, num(_metadata, d->sys, "admissions_refused"));
	reaches(_metadata, d->sys, "pressure", "critical");
	ASSERT_EQ(0, set_u64(d->dbg, "inject_used_bytes", 0));
	EXPECT_EQ(used, num(_metadata, d->sys, "physical_used_bytes"));
	ASSERT_EQ(0, settle(d));
	reaches(_metadata, d->sys, "pressure", "none");
	EXPECT_EQ(page, store(d, d->buf, page));
	EXPECT_EQ(3, num(_metadata, d->dbg, "test_held"));
}

/* Writing @val to @dir@attr fails with @err and changes none of the settings. */
static void rejects(struct __test_metadata *_metadata, struct ccm *d,
		    const char *dir, const char *attr, const char *val, int err)
{
	char before[ARRAY_SIZE(settings)][32], after[32];
	int i, rc;

	for (i = 0; i < ARRAY_SIZE(settings); i++)
		if (get_str(d->sys, settings[i], before[i], sizeof(before[i])))
			snprintf(before[i], sizeof(before[i]), "(unreadable)");
	rc = set_str(dir, attr, val);
	EXPECT_EQ(-err, rc) TH_LOG("%s <- \"%s\": \"%s\", expected \"%s\"",
				   attr, val, strerror(-rc), strerror(err));
	for (i = 0; i < ARRAY_SIZE(settings); i++) {
		if (get_str(d->sys, settings[i], after, sizeof(after)))
			snprintf(after, sizeof(after), "(unreadable)");
		EXPECT_STREQ(before[i], after)
			TH_LOG("%s changed though writing \"%s\" to %s failed",
			       settings[i], val, attr);
	}
}

static void rejects_u64(struct __test_metadata *_metadata, struct ccm *d,
			const char *dir, const char *attr, unsigned long long val, int err)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%llu", val);
	rejects(_metadata, d, dir, attr, buf, err);
}

/* Bad values fail with EINVAL, changes the state forbids with EBUSY. */
TEST_F_TIMEOUT(ccm, bad_input_rejected, 180)
{
	struct ccm *d = &self->d;
	unsigned long long phys, low, high, crit;
	const uint64_t seed = 0x5eed0008;
	long page = d->page;
	char *big;
	int blocks, online;

	phys = num(_metadata, d->sys, "physical_bytes");
	/* A good write works, and physical_bytes resets the watermarks. */
	low = num(_metadata, d->sys, "watermark_low");
	EXPECT_EQ(0, set_u64(d->sys, "watermark_low", low - page));
	EXPECT_EQ(low - page, num(_metadata, d->sys, "watermark_low"));
	EXPECT_EQ(0, set_u64(d->sys, "physical_bytes", phys));
	low = num(_metadata, d->sys, "watermark_low");
	high = num(_metadata, d->sys, "watermark_high");
	crit = num(_metadata, d->sys, "watermark_critical");
	EXPECT_EQ(pct(phys, 70, page), low);
	EXPECT_EQ(pct(phys, 85, page), high);
	EXPECT_EQ(pct(phys, 95, page), crit);

	rejects(_metadata, d, d->sys, "watermark_low", "abc", EINVAL);
	rejects(_metadata, d, d->sys, "watermark_low", "\n", EINVAL);
	rejects(_metadata, d, d->sys, "watermark_low", "12x", EINVAL);
	rejects(_metadata, d, d->sys, "watermark_low", "-4096", EINVAL);
	rejects(_metadata, d, d->sys, "watermark_low", "0", EINVAL);
	rejects_u64(_metadata, d, d->sys, "watermark_low", high + page, EINVAL);
	rejects_u64(_metadata, d, d->sys, "watermark_low", high, EINVAL);
	rejects_u64(_metadata, d, d->sys, "watermark_high", low, EINVAL);
	rejects_u64(_metadata, d, d->sys, "watermark_high", crit, EINVAL);
	rejects_u64(_metadata, d, d->sys, "watermark_critical", high, EINVAL);
	rejects_u64(_metadata, d, d->sys, "watermark_critical", phys + page, EINVAL);
	rejects_u64(_metadata, d, d->sys, "physical_bytes", d->logical + page, EINVAL);
	rejects_u64(_metadata, d, d->sys, "physical_bytes", phys + 100, EINVAL);
	rejects_u64(_metadata, d, d->sys, "physical_bytes", 63 * page, EINVAL);
	rejects(_metadata, d, d->sys, "model_granule", "100", EINVAL);
	rejects(_metadata, d, d->sys, "model_granule", "8", EINVAL);
	rejects(_metadata, d, d->sys, "model_granule", "8192", EINVAL);
	rejects(_metadata, d, d->sys, "model_telemetry_ms", "0", EINVAL);
	rejects(_metadata, d, d->sys, "model_telemetry_ms", "10001", EINVAL);
	rejects(_metadata, d, d->sys, "model_ratio_percent", "50", EINVAL);

	/* test_store takes whole pages, at most 1 MiB a write. */
	big = calloc(1, MIB + page);
	ASSERT_NE(NULL, big);
	EXPECT_EQ(-EINVAL, store(d, big, 100));
	EXPECT_EQ(-EINVAL, store(d, big, page + 1));
	EXPECT_EQ(-EINVAL, store(d, big, MIB + page));
	EXPECT_EQ(0, num(_metadata, d->dbg, "test_held"));
	EXPECT_EQ(0, num(_metadata, d->sys, "stored_pages"));

	/* 1 MiB exactly is fine. */
	EXPECT_EQ(MIB, store(d, big, MIB));
	free(big);
	ASSERT_EQ(0, release(d, 0));

	/* With pages held: the limits above stand, and settings stay. */
	ASSERT_EQ(0, store_range(d, RANDOM, seed, 0, 64));
	EXPECT_EQ(-EINVAL, store(d, d->buf, 100));
	rejects_u64(_metadata, d, d->sys, "physical_bytes", phys / 2, EBUSY);
	rejects(_metadata, d, d->sys, "model_granule", "512", EBUSY);

	/* Unbinding a device that holds pages fails and changes nothing. */
	EXPECT_EQ(-EBUSY, write_file(DRV "unbind", d->dev));
	EXPECT_TRUE(bound_here(d)) TH_LOG("%s lost its driver", d->dev);
	EXPECT_EQ(0, access(d->sys, F_OK));
	blocks = node_blocks(d->nid, &online);
	EXPECT_LT(0, blocks) TH_LOG("node %d has no memory blocks", d->nid);
	EXPECT_EQ(blocks, online);
	EXPECT_EQ(64, num(_metadata, d->sys, "stored_pages"));
	EXPECT_EQ(64, num(_metadata, d->dbg, "test_held"));
	check_data(_metadata, d, RANDOM, seed, 64);
}

/*
 * The device's node holds its memory only.  With the region split in two, the
 * device on one half and kmem adding the other half as SPM memory on the same
 * node, that half is never onlined: the device hands out only its own pages.
 */
TEST_F_TIMEOUT(ccm, foreign_memory_not_onlined, 300)
{
	struct ccm *d = &self->d;
	char full[32], half[32], seed[32], path[256];
	int before, blocks, online, n;
	unsigned long long size;

	if (strcmp(d->dev, "dax0.0") || access(REGION "create", W_OK))
		SKIP(return, "no dynamic dax region to split (dax0.0)");
	ASSERT_EQ(0, release(d, 0));
	ASSERT_EQ(0, settle(d));
	ASSERT_EQ(0, get_u64(DAX "dax0.0/", "size", &size));
	snprintf(full, sizeof(full), "%llu", size);
	snprintf(half, sizeof(half), "%llu", size / 2);

	ASSERT_EQ(0, write_file(DRV "unbind", "dax0.0"));
	ASSERT_EQ(0, write_file(DAX "dax0.0/size", half));
	ASSERT_EQ(0, write_file(REGION "create", "1"));
	n = read_file(REGION "seed", seed, sizeof(seed));
	ASSERT_GT(n, 0);
	seed[strcspn(seed, "\n")] = '\0';
	snprintf(path, sizeof(path), DAX "%s/size", seed);
	ASSERT_EQ(0, write_file(path, half));
	snprintf(path, sizeof(path), DAX "%s/spm_node", seed);
	ASSERT_EQ(0, write_file(path, "1"));
	ASSERT_EQ(0, rebind(d));
	before = node_blocks(d->nid, &online);
	EXPECT_LT(0, before);
	EXPECT_EQ(before, online);

	/* kmem may add the other half, but it stays offline. */
	write_file(KMEM "bind", seed);
	blocks = node_blocks(d->nid, &online);
	EXPECT_EQ(before, online) TH_LOG("%d of %d blocks online", online, blocks);
	ASSERT_EQ(0, store_range(d, RANDOM, 0x5eed000a, 0, 256));
	check_data(_metadata, d, RANDOM, 0x5eed000a, 256);
	ASSERT_EQ(0, release(d, 0));
	ASSERT_EQ(0, settle(d));

	/* Put the region back whole under the device. */
	write_file(KMEM "unbind", seed);
	snprintf(path, sizeof(path), DAX "%s/size", seed);
	ASSERT_EQ(0, write_file(path, "0"));
	ASSERT_EQ(0, write_file(REGION "delete", seed));
	ASSERT_EQ(0, write_file(DRV "unbind", "dax0.0"));
	ASSERT_EQ(0, write_file(DAX "dax0.0/size", full));
	ASSERT_EQ(0, rebind(d));
	EXPECT_EQ(d->logical, num(_metadata, d->sys, "logical_bytes"));
	blocks = node_blocks(d->nid, &online);
	EXPECT_EQ(blocks, online);
}

/*
 * An empty device unbinds and takes its memory away; binding it again brings
 * it back with its defaults.  Last, as it takes the device away for a while.
 */
TEST_F_TIMEOUT(ccm, unbind_empty_then_rebind, 300)
{
	struct ccm *d = &self->d;
	unsigned long long phys;
	const uint64_t seed = 0x5eed0009;
	char path[256], buf[32];
	int blocks, online, rc;
	struct stat st;

	ASSERT_EQ(0, release(d, 0));
	ASSERT_EQ(0, settle(d));
	ASSERT_EQ(0, num(_metadata, d->sys, "stored_pages"));
	ASSERT_EQ(0, num(_metadata, d->sys, "pending_pages"));

	rc = write_file(DRV "unbind", d->dev);
	ASSERT_EQ(0, rc) TH_LOG("unbinding empty %s: %s", d->dev, strerror(-rc));
	EXPECT_NE(0, access(d->sys, F_OK)) TH_LOG("%s is still there", d->sys);
	snprintf(path, sizeof(path), DAX "%s/driver", d->dev);
	EXPECT_NE(0, lstat(path, &st)) TH_LOG("%s still has a driver", d->dev);
	blocks = node_blocks(d->nid, &online);
	EXPECT_EQ(0, blocks) TH_LOG("node %d keeps %d memory blocks, %d online",
				    d->nid, blocks, online);

	rc = rebind(d);
	ASSERT_EQ(0, rc) TH_LOG("binding %s again: %s", d->dev, strerror(-rc));
	EXPECT_TRUE(bound_here(d));
	EXPECT_EQ(d->logical, num(_metadata, d->sys, "logical_bytes"));
	phys = num(_metadata, d->sys, "physical_bytes");
	EXPECT_EQ(d->logical / 2, phys);
	EXPECT_EQ(pct(phys, 70, d->page), num(_metadata, d->sys, "watermark_low"));
	EXPECT_EQ(pct(phys, 85, d->page), num(_metadata, d->sys, "watermark_high"));
	EXPECT_EQ(pct(phys, 95, d->page), num(_metadata, d->sys, "watermark_critical"));
	EXPECT_EQ(256, num(_metadata, d->sys, "model_granule"));
	EXPECT_EQ(200, num(_metadata, d->sys, "model_ratio_percent"));
	EXPECT_EQ(20, num(_metadata, d->sys, "model_telemetry_ms"));
	EXPECT_EQ(0, num(_metadata, d->sys, "stored_pages"));
	word(_metadata, d->sys, "model", buf, sizeof(buf));
	EXPECT_STREQ("lz4", buf);
	reaches(_metadata, d->sys, "telemetry", "ok");
	reaches(_metadata, d->sys, "pressure", "none");
	blocks = node_blocks(d->nid, &online);
	EXPECT_LT(0, blocks) TH_LOG("node %d has no memory blocks", d->nid);
	EXPECT_EQ(blocks, online);

	ASSERT_EQ(0, store_range(d, RANDOM, seed, 0, 64));
	EXPECT_EQ(64, num(_metadata, d->sys, "stored_pages"));
	check_data(_metadata, d, RANDOM, seed, 64);
}

TEST_HARNESS_MAIN
