// SPDX-License-Identifier: GPL-2.0
/*
 * Where the swap-out and swap-in paths spend their time, function by
 * function, in each phase of a page benchmark's life: a first push-out
 * (a copying store), a read pass (loads; with zswap.spm_map=Y, maps), a
 * second push-out (with mapping: stores again without a copy), then a
 * read-modify-write pass and a store pass, each after a read pass and a
 * push-out, with their faults counted.  The kernel's function profiler
 * (CONFIG_FUNCTION_PROFILER) times the functions named on the command
 * line; each one traced adds its own overhead to its callers, so compare
 * phases and modes with the same list.  bench/guest/pathprof.sh runs it.
 *
 * usage: pathprof MIB FUNCTION...
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "../content.h"
#include "../fprof.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

#define SEED 0x5eedbe9cULL

static char **fns;
static int nfns;

static int tracing_write(const char *file, const char *val, int append)
{
	char path[160];
	int fd, ok;

	snprintf(path, sizeof(path), TRACING "%s", file);
	fd = open(path, O_WRONLY | (append ? O_APPEND : O_TRUNC));
	if (fd < 0)
		return -1;
	ok = write(fd, val, strlen(val)) == (ssize_t)strlen(val);
	close(fd);
	return ok ? 0 : -1;
}

/*
 * Profile every function named, from zero; one not found is reported.
 * With none found the filter would be empty, which traces every function.
 */
static void prof_start(void)
{
	int i, found = 0;

	tracing_write("function_profile_enabled", "0", 0);
	tracing_write("set_ftrace_filter", "", 0);
	for (i = 0; i < nfns; i++) {
		if (!tracing_write("set_ftrace_filter", fns[i], 1))
			found++;
		else
			fprintf(stderr, "pathprof: cannot trace %s\n", fns[i]);
	}
	if (!found) {
		fprintf(stderr, "pathprof: no function to trace\n");
		exit(1);
	}
	tracing_write("options/sleep-time", "0", 0);
	tracing_write("options/graph-time", "1", 0);
	tracing_write("function_profile_enabled", "1", 0);
}

/* Stop, and print each function's calls and time per call over all CPUs. */
static void prof_stop(const char *phase)
{
	struct fprof r;
	int i;

	tracing_write("function_profile_enabled", "0", 0);
	printf("== %s\n", phase);
	for (i = 0; i < nfns; i++) {
		r = fprof_sum(fns[i]);
		if (r.hits)
			printf("  %-32s %8lld calls %8.2f us/call\n", fns[i], r.hits,
			       r.us / r.hits);
	}
}

static void faults(long *minor, long *major)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	*minor = ru.ru_minflt;
	*major = ru.ru_majflt;
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static unsigned long sum;

static void read_pass(unsigned char *p, long pages, long psz)
{
	long i;

	for (i = 0; i < pages; i++)
		sum += p[i * psz];
}

/* After a read pass and a push-out, write each page: RMW or a store. */
static void write_pass(unsigned char *p, size_t len, long pages, long psz, int rmw)
{
	long mn0, mj0, mn1, mj1, i;
	double t;

	read_pass(p, pages, psz);
	madvise(p, len, MADV_PAGEOUT);
	prof_start();
	faults(&mn0, &mj0);
	t = now_us();
	for (i = 0; i < pages; i++) {
		if (rmw)
			asm volatile("xorb $1, (%0)" : : "r"(p + i * psz) : "memory");
		else
			asm volatile("movb $7, (%0)" : : "r"(p + i * psz) : "memory");
	}
	t = now_us() - t;
	faults(&mn1, &mj1);
	prof_stop(rmw ? "read-modify-write pass (xorb)" : "store pass");
	printf("  %.1f us per page, %ld minor and %ld major faults\n",
	       t / pages, mn1 - mn0, mj1 - mj0);
}

int main(int argc, char **argv)
{
	long psz = sysconf(_SC_PAGESIZE), pages, i;
	unsigned char *p;
	size_t len;

	if (argc < 3 || atol(argv[1]) <= 0) {
		fprintf(stderr, "usage: %s MIB FUNCTION...\n", argv[0]);
		return 2;
	}
	len = (size_t)atol(argv[1]) << 20;
	fns = argv + 2;
	nfns = argc - 2;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 1;
	madvise(p, len, MADV_NOHUGEPAGE);
	pages = len / psz;
	for (i = 0; i < pages; i++)
		fill_page(p + i * psz, psz, C_TEXT, SEED, i);

	prof_start();
	madvise(p, len, MADV_PAGEOUT);
	prof_stop("first push-out (a copying store)");
	prof_start();
	read_pass(p, pages, psz);
	prof_stop("read pass (loads, or maps)");
	prof_start();
	madvise(p, len, MADV_PAGEOUT);
	prof_stop("second push-out (with mapping: stored again without a copy)");
	write_pass(p, len, pages, psz, 1);
	write_pass(p, len, pages, psz, 0);
	/* Printed, so that the read passes are not elided. */
	printf("sum %lu\n", sum);
	return 0;
}
