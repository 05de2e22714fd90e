// SPDX-License-Identifier: GPL-2.0
/*
 * 'make run': zero-copy reads.  Fills 8 MiB with text, pushes it out to
 * zswap (the compressed device takes it), reads it back and shows where
 * its pages are now (move_pages(2) without target nodes): on the device's
 * node, mapped read-only, not copied.  Then writes one page, which moves
 * it to DRAM.  Prints what it sees; exits 1 if the data differs.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif
#define MIB (1024 * 1024L)
#define NODES 8

static const char text[] =
	"The device compresses what the CPU writes; a read fault maps the page itself. ";

static long vmstat(const char *key)
{
	char name[64];
	long v;
	FILE *f = fopen("/proc/vmstat", "r");

	if (!f)
		return -1;
	while (fscanf(f, "%63s %ld", name, &v) == 2) {
		if (!strcmp(name, key)) {
			fclose(f);
			return v;
		}
	}
	fclose(f);
	return -1;
}

static int node_of(void *p)
{
	int status = -1;

	if (syscall(__NR_move_pages, 0, 1UL, &p, NULL, &status, 0))
		return -1;
	return status;
}

static void where(const char *when, char *p, long pages, long psz)
{
	long per[NODES] = { 0 }, other = 0, i;
	int nid;

	for (i = 0; i < pages; i++) {
		nid = node_of(p + i * psz);
		if (nid >= 0 && nid < NODES)
			per[nid]++;
		else
			other++;
	}
	printf("  %-34s", when);
	for (nid = 0; nid < NODES; nid++)
		if (per[nid])
			printf(" node %d: %ld pages", nid, per[nid]);
	if (other)
		printf(" not in memory: %ld", other);
	printf("\n");
}

int main(void)
{
	long psz = sysconf(_SC_PAGESIZE), len = 8 * MIB, pages = len / psz, i;
	long mapped0 = vmstat("zswpin_spm_mapped"), cow0 = vmstat("zswpspm_cow");
	long restore0 = vmstat("zswpspm_restore");
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *want = malloc(len);
	long sum = 0;

	if (p == MAP_FAILED || !want)
		return 2;
	madvise(p, len, MADV_NOHUGEPAGE);
	for (i = 0; i < len; i++)
		want[i] = text[(i + i / psz) % (sizeof(text) - 1)];
	memcpy(p, want, len);
	where("written:", p, pages, psz);
	madvise(p, len, MADV_PAGEOUT);
	where("pushed out (MADV_PAGEOUT):", p, pages, psz);
	for (i = 0; i < pages; i++)
		sum += p[i * psz];
	where("read back (one byte a page):", p, pages, psz);
	printf("  read faults that mapped a device page (zswpin_spm_mapped): +%ld\n",
	       vmstat("zswpin_spm_mapped") - mapped0);
	p[0] ^= 1;
	want[0] ^= 1;
	printf("  wrote the first page: it is on node %d now (zswpspm_cow +%ld)\n",
	       node_of(p), vmstat("zswpspm_cow") - cow0);
	madvise(p, len, MADV_PAGEOUT);
	printf("  pushed out again: %ld mapped device pages stored again without a copy (zswpspm_restore)\n",
	       vmstat("zswpspm_restore") - restore0);
	if (memcmp(p, want, len)) {
		printf("  DATA DIFFERS\n");
		return 1;
	}
	printf("  all %ld pages read back as written (sum %ld)\n", pages, sum);
	return 0;
}
