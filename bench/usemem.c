// SPDX-License-Identifier: GPL-2.0
/*
 * usemem-like throughput test, after vm-scalability's usemem: NPROC
 * processes each write SIZE MiB of anonymous memory (text-like content, one
 * page at a time), then read it back REREAD times, checking one word per
 * page.  Prints one JSON object: total MiB touched over wall time.
 *
 * usage: usemem NPROC SIZE_MIB REREAD
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "content.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int worker(int id, size_t len, int reread)
{
	long psz = sysconf(_SC_PAGESIZE), pages = len / psz, i;
	unsigned char *p, *want = malloc(psz);
	int r, bad = 0;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED || !want)
		return 1;
	for (i = 0; i < pages; i++)
		fill_page(p + i * psz, psz, C_TEXT, id, i);
	for (r = 0; r < reread; r++)
		for (i = 0; i < pages; i++) {
			fill_page(want, psz, C_TEXT, id, i);
			bad |= !!memcmp(p + i * psz, want, 64);
		}
	return bad ? 3 : 0;
}

int main(int argc, char **argv)
{
	int nproc, reread, i, status, rc = 0;
	double t0, t;
	size_t len;

	if (argc != 4) {
		fprintf(stderr, "usage: %s NPROC SIZE_MIB REREAD\n", argv[0]);
		return 2;
	}
	nproc = atoi(argv[1]);
	len = (size_t)atol(argv[2]) << 20;
	reread = atoi(argv[3]);
	if (nproc < 1 || !len || reread < 0)
		return 2;
	t0 = now();
	for (i = 0; i < nproc; i++)
		if (!fork())
			_exit(worker(i, len, reread));
	for (i = 0; i < nproc; i++) {
		wait(&status);
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			rc = 3;
	}
	t = now() - t0;
	printf("{\"nproc\": %d, \"mib_each\": %zu, \"reread\": %d,\n",
	       nproc, len >> 20, reread);
	printf("\"s\": %.3f, \"mib_per_s\": %.2f, \"failed\": %d}\n", t,
	       (double)nproc * (len >> 20) * (1 + reread) / t, rc != 0);
	return rc;
}
