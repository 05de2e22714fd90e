// SPDX-License-Identifier: GPL-2.0
/*
 * Page microbenchmark: fill SIZE MiB of anonymous memory with one kind of
 * content, push it out (MADV_PAGEOUT, or memory.reclaim of our cgroup), and
 * time three passes over it, each after pushing it out again: a read pass
 * (one byte per page), a full compare against the expected content, a
 * write pass (a store of one byte per page) and a read-then-write pass (a
 * byte of each page read, then written back changed).  A second read pass
 * follows the first at once: with device pages mapped (zswap.spm_map) it
 * takes no fault.  The write pass stores without reading: the emulator
 * (QEMU's TCG) takes an x86 read-modify-write instruction on an absent
 * page as a read fault and then a write fault, where hardware takes one
 * write fault; the read-then-write pass shows what a page that is read
 * before it is written costs (with device pages mapped: a map, then a move
 * to DRAM).  Last, after one more push-out, a latency pass reads a byte of
 * each page again, timing each page on its own: its distribution is
 * printed as quantiles (the report's CDF of the read pass); it is not
 * the read pass itself, whose total is not burdened with the clock.
 * Prints one JSON object.
 *
 * The push-out runs reclaim in this process, so its system time over the
 * pages it stored (zswpout + pswpout) is the CPU per page of the whole
 * swap-out path (unmapping, swap slots and the store).  The store itself,
 * zswap_store(), is timed with the kernel's function profiler during the
 * first push-out, and zswap_load() during the read pass, when the kernel
 * has one (CONFIG_FUNCTION_PROFILER): time in the function per call, with
 * what it calls and without sleeping.  zswap_store() is timed again in the
 * second push-out, which stores what the read pass brought back (with
 * device pages mapped: the device pages themselves, stored again).
 *
 * usage: pagebench SIZE_MIB random|text|zero|mixed madvise|reclaim
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "content.h"
#include "fprof.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

#define SEED 0x5eedbe9cULL

static long psz;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * The latency pass: after a push-out, each page's first read timed on its
 * own (clock_gettime() costs about the same in every mode), printed as the
 * distribution's quantiles at every percent and at 99.9%, in us.
 */
static void emit_latency(const char *name, double *lat, long pages)
{
	int q;

	qsort(lat, pages, sizeof(*lat), cmp_double);
	printf("\"%s\": {\"pct\": [", name);
	for (q = 0; q <= 100; q++)
		printf("%.3f%s", lat[(pages - 1) * q / 100] * 1e6,
		       q < 100 ? ", " : "");
	printf("], \"p99.9\": %.3f},\n", lat[(pages - 1) * 999 / 1000] * 1e6);
}

static long long read_vmstat(const char *key)
{
	char name[64];
	long long v;
	FILE *f = fopen("/proc/vmstat", "r");
	long long r = 0;

	if (!f)
		return 0;
	while (fscanf(f, "%63s %lld", name, &v) == 2)
		if (!strcmp(name, key))
			r = v;
	fclose(f);
	return r;
}

static int tracing_write(const char *file, const char *val)
{
	char path[128];
	int fd, ok;

	snprintf(path, sizeof(path), TRACING "%s", file);
	fd = open(path, O_WRONLY | O_TRUNC);
	if (fd < 0)
		return -1;
	ok = write(fd, val, strlen(val)) == (ssize_t)strlen(val);
	close(fd);
	return ok ? 0 : -1;
}

/*
 * Start profiling @fn alone; the profiler's counts restart.  With
 * PAGEBENCH_NOPROF set, leave the profiler to the caller.
 */
static int prof_start(const char *fn)
{
	if (getenv("PAGEBENCH_NOPROF"))
		return -1;
	tracing_write("function_profile_enabled", "0");
	if (tracing_write("set_ftrace_filter", fn))
		return -1;
	tracing_write("options/sleep-time", "0");
	tracing_write("options/graph-time", "1");
	return tracing_write("function_profile_enabled", "1");
}

/* Stop profiling; sum @fn over every CPU's table. */
static struct fprof prof_stop(const char *fn)
{
	struct fprof r = { -1, 0 };

	if (tracing_write("function_profile_enabled", "0"))
		return r;
	r = fprof_sum(fn);
	tracing_write("set_ftrace_filter", "");
	return r;
}

static void emit_prof(const char *key, struct fprof *f)
{
	if (f->hits < 0)
		printf("\"%s\": null,\n", key);
	else
		printf("\"%s\": {\"calls\": %lld, \"us_per_call\": %.3f},\n",
		       key, f->hits, f->hits ? f->us / f->hits : 0.0);
}

static long long stored(void)
{
	return read_vmstat("zswpout") + read_vmstat("pswpout");
}

struct sample {
	double wall, sys;
	long majflt, minflt;
	long long stored;
};

static void start(struct sample *s)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	s->wall = now();
	s->sys = ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	s->majflt = ru.ru_majflt;
	s->minflt = ru.ru_minflt;
	s->stored = stored();
}

static void stop(struct sample *s)
{
	struct sample e;

	start(&e);
	s->wall = e.wall - s->wall;
	s->sys = e.sys - s->sys;
	s->majflt = e.majflt - s->majflt;
	s->minflt = e.minflt - s->minflt;
	s->stored = e.stored - s->stored;
}

/* Pages of [p, p + len) resident in memory. */
static long resident(unsigned char *p, size_t len)
{
	size_t n = len / psz, i;
	unsigned char *vec = malloc(n);
	long r = 0;

	if (!vec || mincore(p, len, vec))
		return -1;
	for (i = 0; i < n; i++)
		r += vec[i] & 1;
	free(vec);
	return r;
}

static int cg_reclaim(size_t bytes)
{
	char path[512], cg[256], line[300];
	FILE *f = fopen("/proc/self/cgroup", "r");
	int fd, rc;

	if (!f || !fgets(line, sizeof(line), f))
		return -1;
	fclose(f);
	if (sscanf(line, "0::%255s", cg) != 1)
		return -1;
	snprintf(path, sizeof(path), "/sys/fs/cgroup%s/memory.reclaim", cg);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	snprintf(line, sizeof(line), "%zu", bytes);
	rc = write(fd, line, strlen(line)) < 0 && errno != EAGAIN ? -1 : 0;
	close(fd);
	return rc;
}

static void pageout(unsigned char *p, size_t len, int use_reclaim)
{
	long left;
	int i;

	if (use_reclaim)
		cg_reclaim(len);
	else
		madvise(p, len, MADV_PAGEOUT);
	/*
	 * Pages written to a disk stay in the swap cache, unmapped, until
	 * their writeback ends; MADV_PAGEOUT no longer sees them (their page
	 * table entries are swap entries), so reclaim our cgroup until they
	 * are gone too.
	 */
	for (i = 0; i < 100; i++) {
		left = resident(p, len);
		if (left <= (long)(len / psz / 100))
			break;
		usleep(10000);
		cg_reclaim(left * psz);
	}
}

static void emit(const char *name, struct sample *s, long pages, int last)
{
	printf("\"%s\": {\"s\": %.6f, \"us_per_page\": %.3f, ", name,
	       s->wall, s->wall * 1e6 / pages);
	printf("\"sys_s\": %.6f, \"majflt\": %ld, \"minflt\": %ld, ", s->sys,
	       s->majflt, s->minflt);
	printf("\"stored\": %lld}%s\n", s->stored, last ? "" : ",");
}

int main(int argc, char **argv)
{
	struct sample fill, out, rd, rd2, cmp, wr, rw, o2;
	double *lat;
	struct fprof store_fn = { -1, 0 }, load_fn = { -1, 0 };
	struct fprof store2_fn = { -1, 0 };
	int prof;
	unsigned char *p, *want;
	unsigned long sum = 0;
	enum content c = C_RANDOM;
	long pages, i, bad = 0, left;
	size_t len;
	int rec, k;

	if (argc != 4) {
		fprintf(stderr, "usage: %s SIZE_MIB CONTENT madvise|reclaim\n",
			argv[0]);
		return 2;
	}
	psz = sysconf(_SC_PAGESIZE);
	len = (size_t)atol(argv[1]) << 20;
	for (k = 0; k < 4; k++)
		if (!strcmp(argv[2], content_names[k]))
			c = k;
	if (strcmp(argv[2], content_names[c]) || !len) {
		fprintf(stderr, "pagebench: bad size or content '%s'\n", argv[2]);
		return 2;
	}
	rec = !strcmp(argv[3], "reclaim");
	pages = len / psz;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	want = malloc(psz);
	lat = malloc(pages * sizeof(*lat));
	if (p == MAP_FAILED || !want || !lat)
		return 1;
	madvise(p, len, MADV_NOHUGEPAGE);

	start(&fill);
	for (i = 0; i < pages; i++)
		fill_page(p + i * psz, psz, c, SEED, i);
	stop(&fill);

	prof = !prof_start("zswap_store");
	start(&out);
	pageout(p, len, rec);
	stop(&out);
	if (prof)
		store_fn = prof_stop("zswap_store");
	left = resident(p, len);

	prof = !prof_start("zswap_load");
	start(&rd);
	for (i = 0; i < pages; i++)
		sum += p[i * psz + (i % psz)];
	stop(&rd);
	if (prof)
		load_fn = prof_stop("zswap_load");
	start(&rd2);
	for (i = 0; i < pages; i++)
		sum += p[i * psz + (i % psz)];
	stop(&rd2);

	prof = !prof_start("zswap_store");
	start(&o2);
	pageout(p, len, rec);
	stop(&o2);
	if (prof)
		store2_fn = prof_stop("zswap_store");
	start(&cmp);
	for (i = 0; i < pages; i++) {
		fill_page(want, psz, c, SEED, i);
		bad += !!memcmp(p + i * psz, want, psz);
	}
	stop(&cmp);

	pageout(p, len, rec);
	start(&wr);
	for (i = 0; i < pages; i++)
		p[i * psz + (i % psz)] = (unsigned char)i;
	stop(&wr);

	pageout(p, len, rec);
	start(&rw);
	for (i = 0; i < pages; i++) {
		unsigned char v = p[i * psz + (i % psz)];

		/* A load, then a store: not one read-modify-write instruction. */
		asm volatile("" : "+r"(v));
		p[i * psz + (i % psz)] = v ^ 1;
	}
	stop(&rw);

	pageout(p, len, rec);
	for (i = 0; i < pages; i++) {
		double t = now();

		sum += p[i * psz + (i % psz)];
		lat[i] = now() - t;
	}

	printf("{\"pages\": %ld, \"content\": \"%s\", \"pageout_by\": \"%s\",\n",
	       pages, content_names[c], rec ? "reclaim" : "madvise");
	printf("\"left_resident\": %ld, \"mismatched_pages\": %ld,\n", left, bad);
	/* The read pass's sum, printed so that the reads are not elided. */
	printf("\"read_sum\": %lu,\n", sum);
	printf("\"store_cpu_us_per_page\": %.3f,\n",
	       out.stored > 0 ? out.sys * 1e6 / out.stored : 0.0);
	emit_prof("zswap_store", &store_fn);
	emit_prof("zswap_load", &load_fn);
	emit_prof("zswap_store_again", &store2_fn);
	emit_latency("read_latency", lat, pages);
	emit("fill", &fill, pages, 0);
	emit("pageout", &out, pages, 0);
	emit("read", &rd, pages, 0);
	emit("read2", &rd2, pages, 0);
	emit("pageout2", &o2, pages, 0);
	emit("compare", &cmp, pages, 0);
	emit("write", &wr, pages, 0);
	emit("readwrite", &rw, pages, 1);
	printf("}\n");
	return bad ? 3 : 0;
}
