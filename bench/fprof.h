/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's function profiler (CONFIG_FUNCTION_PROFILER), read from
 * user space: one function's calls and time, summed over every CPU's
 * table in tracing/trace_stat.  For the benchmarks' own programs.
 */
#ifndef BENCH_FPROF_H
#define BENCH_FPROF_H

#include <stdio.h>
#include <string.h>

#define TRACING "/sys/kernel/tracing/"

/* Calls of a kernel function and the time spent in them. */
struct fprof {
	long long hits;
	double us;
};

/* @fn's calls and time in the profiler's tables now, over every CPU. */
static inline struct fprof fprof_sum(const char *fn)
{
	struct fprof r = { 0, 0 };
	char path[128], line[256], name[96];
	long long hits;
	double us;
	FILE *f;
	int cpu;

	for (cpu = 0;; cpu++) {
		snprintf(path, sizeof(path), TRACING "trace_stat/function%d", cpu);
		f = fopen(path, "r");
		if (!f)
			break;
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, " %95s %lld %lf", name, &hits, &us) == 3 &&
			    !strcmp(name, fn)) {
				r.hits += hits;
				r.us += us;
			}
		fclose(f);
	}
	return r;
}

#endif /* BENCH_FPROF_H */
