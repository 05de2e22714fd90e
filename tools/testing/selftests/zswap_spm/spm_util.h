/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared by the zswap_spm kselftests. */
#ifndef SPM_UTIL_H
#define SPM_UTIL_H

#include <stdbool.h>
#include <stddef.h>

/* Read a whole (small) file into @buf; returns bytes read or -errno. */
int read_file(const char *path, char *buf, size_t len);
/* Write @val to @path; returns 0 or -errno (the write's error). */
int write_file(const char *path, const char *val);
/* Read a file holding one integer; returns it, or @fallback on error. */
long read_long(const char *path, long fallback);
/* The first node listed in /sys/devices/system/node/has_spm_memory, or -1. */
int first_spm_node(void);
/*
 * Pages of node @nid's zones that are allocated: managed - free - the pages
 * cached on per-cpu lists, from /proc/zoneinfo.  Exact, unlike MemUsed.
 */
long node_used_pages(int nid);
/* Page size. */
long page_size(void);

#endif
