/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zswap on compressed memory: the interface between mm/zswap.c and its
 * device backend in mm/zswap_spm.c.  Private to mm/.
 */
#ifndef _MM_ZSWAP_SPM_H
#define _MM_ZSWAP_SPM_H

#include <linux/jump_label.h>
#include <linux/nodemask.h>
#include <linux/types.h>
#include <linux/bits.h>
#include <linux/compiler.h>

struct dentry;
struct folio;
struct obj_cgroup;
struct page;

/* zswap_writeback_entry() flags */
#define ZSWAP_WB_DISK		BIT(0)	/* may write to the swap device */
#define ZSWAP_WB_RECOMPRESS	BIT(1)	/* device entry: compress into the pool */
#define ZSWAP_WB_FORCE		BIT(2)	/* recompress past zswap.max */

#ifdef CONFIG_ZSWAP_SPM
DECLARE_STATIC_KEY_FALSE(zswap_spm_store_on);
DECLARE_STATIC_KEY_FALSE(zswap_spm_used);

/* True once the backend was ever enabled: device entries may exist. */
static inline bool zswap_spm_ever(void)
{
	return static_branch_unlikely(&zswap_spm_used);
}

/* True if new stores should try a device: enabled, and one is bound. */
static inline bool zswap_spm_on(void)
{
	return static_branch_unlikely(&zswap_spm_store_on);
}

struct folio *zswap_spm_store(struct page *page, unsigned int *charge);
bool zswap_spm_load(struct folio *dev, struct folio *folio);
void zswap_spm_poison(struct folio *dev);
void zswap_spm_free(struct folio *dev, unsigned int charge);
void zswap_spm_count_out(struct obj_cgroup *objcg, long nr);
void zswap_spm_count_in(struct obj_cgroup *objcg, bool mapped);
void zswap_spm_lend(struct folio *dev, unsigned int charge);
bool zswap_spm_claimed(struct folio *dev);
void zswap_spm_count_busy(struct obj_cgroup *objcg);
void zswap_spm_count_wb(struct obj_cgroup *objcg, bool recompressed);
unsigned long zswap_spm_total_pages(void);
void zswap_spm_debugfs_init(struct dentry *root);

/* In mm/zswap.c: move device entries on @devs off the device. */
unsigned long zswap_spm_evict(const nodemask_t *devs, unsigned long nr,
			      bool force);
#else
static inline bool zswap_spm_ever(void)
{
	return false;
}

static inline bool zswap_spm_on(void)
{
	return false;
}

static inline struct folio *zswap_spm_store(struct page *page,
					    unsigned int *charge)
{
	return NULL;
}

static inline bool zswap_spm_load(struct folio *dev, struct folio *folio)
{
	return false;
}

static inline void zswap_spm_poison(struct folio *dev)
{
}

static inline void zswap_spm_free(struct folio *dev, unsigned int charge)
{
}

static inline void zswap_spm_count_out(struct obj_cgroup *objcg, long nr)
{
}

static inline void zswap_spm_count_in(struct obj_cgroup *objcg, bool mapped)
{
}

static inline void zswap_spm_lend(struct folio *dev, unsigned int charge)
{
}

static inline void zswap_spm_count_wb(struct obj_cgroup *objcg,
				      bool recompressed)
{
}

static inline unsigned long zswap_spm_total_pages(void)
{
	return 0;
}

static inline void zswap_spm_debugfs_init(struct dentry *root)
{
}
#endif

#endif /* _MM_ZSWAP_SPM_H */
