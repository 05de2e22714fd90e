/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Page contents for the benchmarks, reproducible from (seed, page index):
 * random, text-like (LZ4 compresses a 4 KiB page about 2.5x), zero, and a
 * mix of the three.
 */
#ifndef BENCH_CONTENT_H
#define BENCH_CONTENT_H

#include <linux/types.h>
#include <string.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

enum content { C_RANDOM, C_TEXT, C_ZERO, C_MIXED };

static const char * const content_names[] = { "random", "text", "zero", "mixed" };

static inline __u64 mix64(__u64 z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static const char * const words[] = {
	"the", "of", "and", "to", "in", "is", "that", "for", "it", "as",
	"was", "with", "be", "by", "on", "not", "he", "this", "are", "or",
	"his", "from", "at", "which", "but", "have", "an", "had", "they",
	"you", "were", "their", "one", "all", "we", "can", "her", "has",
	"there", "been", "if", "more", "when", "will", "would", "who", "so",
	"no", "memory", "page", "device", "kernel", "swap", "compress",
	"node", "region", "cache", "write", "read", "time", "system", "data",
	"value", "number", "people", "water", "house", "river", "market",
	"village", "history", "science", "morning", "garden", "window",
	"summer", "letter", "station", "company", "question", "mountain",
};

/*
 * Text-like: words, three times in eight a whole phrase from the page's own
 * 16 four-word phrases.  LZ4 compresses such a 4 KiB page about 2.5x.
 */
static inline void text_page(unsigned char *p, long len, __u64 seed)
{
	const int nw = ARRAY_LEN(words);
	int topic[16][4], i, j;
	__u64 x = seed;
	long off = 0;

	for (i = 0; i < 16; i++)
		for (j = 0; j < 4; j++)
			topic[i][j] = mix64(x++) % nw;
	while (off < len) {
		__u64 r = mix64(x++);
		int nwords = r % 8 < 3 ? 4 : 1;
		int ph = (r >> 8) % 16;

		for (j = 0; j < nwords && off < len; j++) {
			const char *w = nwords == 1 ? words[(r >> 16) % nw] : words[topic[ph][j]];
			long n = strlen(w);

			if (off + n + 2 > len) {
				memset(p + off, ' ', len - off);
				off = len;
				break;
			}
			memcpy(p + off, w, n);
			off += n;
			p[off++] = ' ';
		}
		if (off < len && (r >> 32) % 7 == 0)
			p[off - 1] = (r >> 40) % 2 ? '.' : '\n';
	}
}

static inline enum content page_kind(enum content c, unsigned long idx, __u64 seed)
{
	if (c != C_MIXED)
		return c;
	/* A quarter random, half text, a quarter zero. */
	switch (mix64(seed ^ (idx * 0x9e3779b97f4a7c15ULL)) % 4) {
	case 0:
		return C_RANDOM;
	case 3:
		return C_ZERO;
	default:
		return C_TEXT;
	}
}

static inline void fill_page(unsigned char *p, long len, enum content c,
			     __u64 seed, unsigned long idx)
{
	__u64 s = mix64(seed + idx * 0x9e3779b97f4a7c15ULL);
	long i;

	switch (page_kind(c, idx, seed)) {
	case C_RANDOM:
		for (i = 0; i + 8 <= len; i += 8) {
			__u64 v = mix64(s + i);

			memcpy(p + i, &v, 8);
		}
		break;
	case C_TEXT:
		text_page(p, len, s);
		break;
	default:
		memset(p, 0, len);
		break;
	}
}

#endif
