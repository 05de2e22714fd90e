// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spm_util.h"

int read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n, total = 0;

	if (fd < 0)
		return -errno;
	while (total < (ssize_t)len - 1) {
		n = read(fd, buf + total, len - 1 - total);
		if (n < 0) {
			n = -errno;
			close(fd);
			return n;
		}
		if (!n)
			break;
		total += n;
	}
	buf[total] = '\0';
	close(fd);
	return total;
}

int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	n = n < 0 ? -errno : 0;
	close(fd);
	return n;
}

long read_long(const char *path, long fallback)
{
	char buf[64];

	if (read_file(path, buf, sizeof(buf)) <= 0)
		return fallback;
	return strtol(buf, NULL, 0);
}

int first_spm_node(void)
{
	char buf[64];

	if (read_file("/sys/devices/system/node/has_spm_memory", buf, sizeof(buf)) <= 0)
		return -1;
	if (buf[0] < '0' || buf[0] > '9')
		return -1;
	return atoi(buf);
}

long node_used_pages(int nid)
{
	long managed = 0, free = 0, pcp = 0, v;
	char line[256], word[64];
	bool in_node = false;
	FILE *f = fopen("/proc/zoneinfo", "r");
	int n;

	if (!f)
		return -1;
	/* Fold the per-cpu counter deltas so that "pages free" is exact. */
	write_file("/proc/sys/vm/stat_refresh", "1");
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Node %d, zone %63s", &n, word) == 2) {
			in_node = n == nid;
			continue;
		}
		if (!in_node)
			continue;
		if (sscanf(line, " pages free %ld", &v) == 1)
			free += v;
		else if (sscanf(line, " managed %ld", &v) == 1)
			managed += v;
		else if (sscanf(line, " count: %ld", &v) == 1)
			pcp += v;
	}
	fclose(f);
	return managed - free - pcp;
}

long page_size(void)
{
	return sysconf(_SC_PAGESIZE);
}
