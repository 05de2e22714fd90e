// SPDX-License-Identifier: GPL-2.0
/*
 * zswap on compressed memory
 *
 * A CXL memory expander with inline compression is onlined as a Specific
 * Purpose Memory (SPM) node and driven by cxl_compressed, which hands out its
 * pages under admission control.  With zswap.spm_enabled=Y, zswap stores a
 * page by copying it into such a device page: the device compresses it, the
 * CPU does not.  With zswap.spm_map=Y, a read fault maps the device page
 * itself, read-only, into the process (the device decompresses on access);
 * the mm copies it to DRAM when it is written (see folio_is_spm()), and the
 * driver zeroes it when its last reference goes.  Other loads copy it back.
 * When no device admits the page, zswap compresses it in software as
 * before.
 *
 * This file is the storage backend.  It deals in device folios and byte
 * charges; entries, their tree and LRU, and writeback stay in mm/zswap.c.
 * It also runs the escape valve: when a device reports high pressure, or is
 * being removed, its entries are recompressed into the software pool or
 * written back to the swap device.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/cxl_compressed.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/fault-inject.h>
#include <linux/highmem.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/memcontrol.h>
#include <linux/memory_hotplug.h>
#include <linux/migrate.h>
#include <linux/moduleparam.h>
#include <linux/mm.h>
#include <linux/nodemask.h>
#include <linux/notifier.h>
#include <linux/rmap.h>
#include <linux/spm_node.h>
#include <linux/vmstat.h>
#include <linux/workqueue.h>
#include <linux/zswap.h>

#include "internal.h"
#include "zswap_spm.h"

#define CREATE_TRACE_POINTS
#include <trace/events/zswap_spm.h>

/* -------- statistics -------- */
enum zswap_spm_stat {
	SPM_STORED_PAGES,	/* entries on a device now */
	SPM_CHARGED_BYTES,	/* what they are charged as */
	SPM_REJECT_NODEV,	/* no device bound */
	SPM_REJECT_FULL,	/* every device refused */
	SPM_REJECT_COPY,	/* the page could not be read */
	SPM_LOAD_FAIL,		/* a device page could not be read */
	SPM_POISONED,		/* entries whose device page failed a read */
	SPM_RECOMPRESSED,	/* moved into the software pool */
	SPM_WRITTEN_BACK,	/* moved to the swap device */
	SPM_VALVE_RUNS,		/* escape valve passes */
	SPM_EVACUATED,		/* entries moved off a device being removed */
	SPM_MAPPED,		/* device pages given up to be mapped */
	SPM_RESTORED,		/* mapped device pages stored again, no copy */
	SPM_MAPPED_MOVED,	/* mapped device pages migrated off by the valve */
	NR_SPM_STATS,
};

static atomic_long_t zswap_spm_stats[NR_SPM_STATS];

/* Entries per device node, for the valve and for removal. */
static atomic_long_t zswap_spm_node_pages[MAX_NUMNODES];

/* The escape valve, see below. */
static struct workqueue_struct *zswap_spm_wq;
static void zswap_spm_valve(struct work_struct *work);
static DECLARE_DELAYED_WORK(zswap_spm_valve_work, zswap_spm_valve);

static void spm_stat_add(enum zswap_spm_stat item, long nr)
{
	atomic_long_add(nr, &zswap_spm_stats[item]);
}

/* -------- tunables -------- */
/* Keep the parameter beside zswap's own: zswap.spm_enabled */
#undef MODULE_PARAM_PREFIX
#define MODULE_PARAM_PREFIX "zswap."

/*
 * zswap_spm_store_on: stores try a device; on while the parameter is Y and
 * a device is bound, so that without a device a store pays nothing.
 * zswap_spm_used: on at the first store that could reach a device, never
 * off: device entries may outlive both, and every entry check depends on it.
 * zswap_spm_map_on: read faults map device pages; on while stores are on
 * and zswap.spm_map is Y.  Pages mapped already stay mapped when it goes
 * off: the mm's own key, spm_mapping, stays on.
 */
DEFINE_STATIC_KEY_FALSE(zswap_spm_store_on);
DEFINE_STATIC_KEY_FALSE(zswap_spm_used);
DEFINE_STATIC_KEY_FALSE(zswap_spm_map_on);

static bool zswap_spm_enabled __read_mostly;
static bool zswap_spm_map = true;
static DEFINE_MUTEX(zswap_spm_key_lock);
static unsigned int zswap_spm_devices;	/* bound; guarded by the lock */

static void zswap_spm_key_update(void)
{
	struct workqueue_struct *wq;

	lockdep_assert_held(&zswap_spm_key_lock);
	/* The valve's workqueue comes with the first device. */
	if (READ_ONCE(zswap_spm_enabled) && zswap_spm_devices && !zswap_spm_wq) {
		wq = alloc_workqueue("zswap-spm", WQ_UNBOUND | WQ_MEM_RECLAIM, 1);
		if (!wq)
			pr_err("workqueue allocation failed: no device is used\n");
		WRITE_ONCE(zswap_spm_wq, wq);
	}
	if (READ_ONCE(zswap_spm_enabled) && zswap_spm_devices && zswap_spm_wq) {
		static_branch_enable(&zswap_spm_used);
		static_branch_enable(&zswap_spm_store_on);
	} else {
		static_branch_disable(&zswap_spm_store_on);
	}
	if (static_key_enabled(&zswap_spm_store_on) && READ_ONCE(zswap_spm_map)) {
		spm_mapping_enable();
		static_branch_enable(&zswap_spm_map_on);
	} else {
		static_branch_disable(&zswap_spm_map_on);
	}
}

/* spm_enabled and spm_map: set the flag, then the keys it implies. */
static int zswap_spm_bool_set(const char *val, const struct kernel_param *kp)
{
	bool *flag = kp->arg;
	bool on;
	int ret;

	ret = kstrtobool(val, &on);
	if (ret)
		return ret;
	/* On the command line: the initcall sets the keys. */
	if (system_state == SYSTEM_BOOTING) {
		WRITE_ONCE(*flag, on);
		return 0;
	}
	mutex_lock(&zswap_spm_key_lock);
	WRITE_ONCE(*flag, on);
	zswap_spm_key_update();
	mutex_unlock(&zswap_spm_key_lock);
	return 0;
}

static const struct kernel_param_ops zswap_spm_bool_ops = {
	.set = zswap_spm_bool_set,
	.get = param_get_bool,
};
module_param_cb(spm_enabled, &zswap_spm_bool_ops, &zswap_spm_enabled, 0644);
MODULE_PARM_DESC(spm_enabled,
		 "Store swapped pages on compressed memory devices (default N)");
module_param_cb(spm_map, &zswap_spm_bool_ops, &zswap_spm_map, 0644);
MODULE_PARM_DESC(spm_map,
		 "Map device pages read-only on read faults rather than copy them (default Y)");

/* -------- fault injection -------- */
/*
 * Copies that fail as a machine check would make them fail, and a delay in
 * the free path that widens its window against device removal: for tests,
 * in /sys/kernel/debug/zswap/ with CONFIG_FAULT_INJECTION_DEBUG_FS.
 */
static DECLARE_FAULT_ATTR(fail_spm_store);
static DECLARE_FAULT_ATTR(fail_spm_load);

static bool spm_fail(struct fault_attr *attr)
{
	return should_fail(attr, PAGE_SIZE);
}

#ifdef CONFIG_FAULT_INJECTION
static u32 spm_free_delay_ms;

static void spm_free_delay(void)
{
	u32 ms = READ_ONCE(spm_free_delay_ms);

	/* Frees may run under spinlocks: spin, at most 100 ms. */
	if (unlikely(ms))
		mdelay(min(ms, 100U));
}
#else
static void spm_free_delay(void)
{
}
#endif

/* -------- counting -------- */
static void zswap_spm_event(struct obj_cgroup *objcg, enum vm_event_item item,
			    long nr)
{
	count_vm_events(item, nr);
	if (objcg)
		count_objcg_events(objcg, item, nr);
}

/**
 * zswap_spm_count_out - count pages of a folio stored on a device
 * @objcg: the cgroup the folio is charged to, or NULL
 * @nr: how many of its pages went to a device
 */
void zswap_spm_count_out(struct obj_cgroup *objcg, long nr)
{
	zswap_spm_event(objcg, ZSWPOUT_SPM, nr);
}

/**
 * zswap_spm_count_in - count a page loaded from a device
 * @objcg: the cgroup of the entry, or NULL
 * @mapped: the device page itself is mapped, rather than a copy
 */
void zswap_spm_count_in(struct obj_cgroup *objcg, bool mapped)
{
	zswap_spm_event(objcg, ZSWPIN_SPM, 1);
	if (mapped)
		zswap_spm_event(objcg, ZSWPIN_SPM_MAPPED, 1);
	else if (zswap_spm_mapping())
		zswap_spm_event(objcg, ZSWPIN_SPM_COPIED, 1);
}

/**
 * zswap_spm_count_wb - count a device entry moved off its device
 * @objcg: the cgroup of the entry, or NULL
 * @recompressed: true if it went into the software pool, false if it was
 *	written to the swap device
 */
void zswap_spm_count_wb(struct obj_cgroup *objcg, bool recompressed)
{
	if (recompressed) {
		spm_stat_add(SPM_RECOMPRESSED, 1);
		zswap_spm_event(objcg, ZSWPSPM_RECOMPRESS, 1);
	} else {
		spm_stat_add(SPM_WRITTEN_BACK, 1);
		zswap_spm_event(objcg, ZSWPWB_SPM, 1);
	}
}

/**
 * zswap_spm_cow - count a write that moves a mapped device page to DRAM
 * @folio: the device folio, which do_wp_page() is about to copy
 */
void zswap_spm_cow(struct folio *folio)
{
	count_vm_event(ZSWPSPM_COW);
	/* Mapped, and we hold a reference: only its memcg may change. */
	rcu_read_lock();
	count_memcg_folio_events(folio, ZSWPSPM_COW, 1);
	rcu_read_unlock();
	trace_zswap_spm_cow(folio);
}

/**
 * zswap_spm_count_busy - count a read fault that copies a device page
 *	it could not take
 * @objcg: the cgroup of the entry, or NULL
 */
void zswap_spm_count_busy(struct obj_cgroup *objcg)
{
	zswap_spm_event(objcg, ZSWPIN_SPM_COPIED_BUSY, 1);
}

static void zswap_spm_refused(struct page *page, enum zswap_spm_stat stat,
			      enum vm_event_item item)
{
	spm_stat_add(stat, 1);
	count_vm_event(item);
	count_memcg_folio_events(page_folio(page), item, 1);
}

/* -------- storage -------- */
/*
 * A device whose data compresses less than 1.25x is not used for new
 * stores: each would be charged more than 80% of a page, so swap-out would
 * barely lower the cgroup's usage, where zswap in software (which rejects
 * incompressible pages, for the swap device to take them) frees it all.
 */
#define ZSWAP_SPM_MIN_RATIO	125

/*
 * We no longer hold a page on the device of @nid.  Called after the driver
 * has the page back: zswap_spm_evacuate() reads the count with acquire, and
 * once it reads 0 the driver's removal finds every page we held returned
 * (and its scrub queued).  Lowering it first would let removal see 0 with a
 * free in flight; spm_free_delay() sits between the two to test that.
 */
static void zswap_spm_node_put(int nid)
{
	/* Pairs with atomic_long_read_acquire() in zswap_spm_evacuate(). */
	smp_mb__before_atomic();
	atomic_long_dec(&zswap_spm_node_pages[nid]);
}

/**
 * zswap_spm_store - store a page on a compressed device
 * @page: the page, locked in the swap cache
 * @charge: set to the bytes to charge for it
 *
 * Tries the devices nearest to @page first; each admits or refuses under
 * its own admission control.  A page mapped from a device and swapped out
 * again is not copied: the entry claims the page itself, which it may read
 * at once, but which becomes its folio only once reclaim has freed it
 * (zswap_spm_claimed()).
 *
 * Return: the device folio holding a copy of @page, or @page's folio; NULL if no device took
 * it (compress it in software instead); ERR_PTR(-EIO) if @page could not be
 * read (a memory error: do not read it again).
 */
/*
 * @folio, mapped from a device and swapped out again, still holds the data
 * the device stored: claim it for a new entry rather than copy it.  The
 * entry's page is @folio itself, the mm's until reclaim frees it, ours
 * after (see ccm_folio_restore()).
 */
static struct folio *zswap_spm_restore(struct folio *folio,
				       unsigned int *charge)
{
	int nid = folio_nid(folio);
	struct ccm_state state;
	int ret;

	/* Counted as zswap_spm_store() counts an admission, see there. */
	rcu_read_lock();
	ret = ccm_folio_restore(folio, &state);
	if (!ret)
		atomic_long_inc(&zswap_spm_node_pages[nid]);
	rcu_read_unlock();
	if (ret)
		return NULL;

	*charge = DIV_ROUND_UP(PAGE_SIZE * 100, state.ratio_seen);
	spm_stat_add(SPM_STORED_PAGES, 1);
	spm_stat_add(SPM_CHARGED_BYTES, *charge);
	spm_stat_add(SPM_RESTORED, 1);
	count_vm_event(ZSWPSPM_RESTORE);
	count_memcg_folio_events(folio, ZSWPSPM_RESTORE, 1);
	trace_zswap_spm_restore(folio);
	if (unlikely(state.level >= CCM_PRESSURE_HIGH))
		queue_delayed_work(zswap_spm_wq, &zswap_spm_valve_work, 0);
	return folio;
}

/*
 * The device page of an entry is ours, as opposed to a claim on a page the
 * mm still holds (zswap_spm_restore()): give up a claim, and say whether
 * there is a page to give back.
 */
static bool zswap_spm_own(struct folio *dev)
{
	return !ccm_folio_unclaim(dev);
}

struct folio *zswap_spm_store(struct page *page, unsigned int *charge)
{
	struct ccm_state state;
	struct folio *dev;
	int nid;

	/* A page mapped from a device, stored again: no copy if it can. */
	if (folio_is_spm(page_folio(page))) {
		dev = zswap_spm_restore(page_folio(page), charge);
		if (dev)
			return dev;
	}

	/*
	 * Count the page on its node in the same RCU read section as the
	 * admission: zswap_spm_evacuate() waits for a grace period before it
	 * trusts the count, so it never misses a page admitted just before
	 * its device closed.
	 */
	rcu_read_lock();
	dev = ccm_alloc_folio(page_to_nid(page), GFP_NOWAIT | __GFP_NOWARN,
			      ZSWAP_SPM_MIN_RATIO);
	if (!IS_ERR(dev))
		atomic_long_inc(&zswap_spm_node_pages[folio_nid(dev)]);
	rcu_read_unlock();
	if (IS_ERR(dev)) {
		if (PTR_ERR(dev) == -ENODEV)
			zswap_spm_refused(page, SPM_REJECT_NODEV,
					  ZSWPSPM_REFUSE_NODEV);
		else
			zswap_spm_refused(page, SPM_REJECT_FULL,
					  ZSWPSPM_REFUSE_FULL);
		return NULL;
	}

	nid = folio_nid(dev);
	if (spm_fail(&fail_spm_store) ||
	    copy_mc_highpage(folio_page(dev, 0), page)) {
		/* Never reported stored: the driver drops its admission. */
		ccm_free_folio(dev);
		zswap_spm_node_put(nid);
		zswap_spm_refused(page, SPM_REJECT_COPY, ZSWPSPM_REFUSE_COPY);
		pr_err_ratelimited("memory error reading pfn %#lx: not stored\n",
				   page_to_pfn(page));
		return ERR_PTR(-EIO);
	}
	ccm_folio_stored(dev, &state);

	/*
	 * Charge what the page is estimated to take on the device, from its
	 * current average ratio: a full page would keep swap-out from
	 * lowering the cgroup's usage.  The entry keeps the charge, so the
	 * uncharge is exact whatever the ratio does meanwhile.
	 */
	*charge = DIV_ROUND_UP(PAGE_SIZE * 100, state.ratio_seen);
	spm_stat_add(SPM_STORED_PAGES, 1);
	spm_stat_add(SPM_CHARGED_BYTES, *charge);
	/*
	 * The level may have risen before we held anything there, and so
	 * without a notification for us.  A pending pass keeps its pacing.
	 */
	if (unlikely(state.level >= CCM_PRESSURE_HIGH))
		queue_delayed_work(zswap_spm_wq, &zswap_spm_valve_work, 0);
	return dev;
}

/**
 * zswap_spm_load - copy a device entry's data into a folio
 * @dev: the device folio
 * @folio: the locked swap cache folio to fill
 *
 * Return: true on success; false if the device page could not be read.
 * The caller then gives @dev up with zswap_spm_poison() and never reads
 * it again.
 */
bool zswap_spm_load(struct folio *dev, struct folio *folio)
{
	if (spm_fail(&fail_spm_load) ||
	    copy_mc_highpage(folio_page(folio, 0), folio_page(dev, 0))) {
		spm_stat_add(SPM_LOAD_FAIL, 1);
		pr_err_ratelimited("memory error reading device pfn %#lx: page quarantined, entry poisoned\n",
				   folio_pfn(dev));
		return false;
	}
	flush_dcache_folio(folio);
	return true;
}

/**
 * zswap_spm_lend - give a device entry's page up to be mapped
 * @dev: the device folio, which a read fault took as its swap cache folio
 *	(zswap_spm_adopt())
 * @charge: the bytes the entry was charged
 *
 * The page leaves zswap: it is the swap cache folio now, with the data, and
 * counts in the driver as stored and mapped until its last reference goes.
 * The entry's reference is dropped; free the entry without its page.
 */
void zswap_spm_lend(struct folio *dev, unsigned int charge)
{
	int nid = folio_nid(dev);

	spm_stat_add(SPM_CHARGED_BYTES, -(long)charge);
	spm_stat_add(SPM_STORED_PAGES, -1);
	spm_stat_add(SPM_MAPPED, 1);
	trace_zswap_spm_map(dev);
	ccm_folio_lend(dev);
	folio_put(dev);
	zswap_spm_node_put(nid);
}

/**
 * zswap_spm_poison - give up a device page that failed a read
 * @dev: the device folio of an entry
 *
 * The driver quarantines @dev: it is never read, zeroed or handed out
 * again.  The entry stays, without a page, as a stub whose loads fail
 * (freeing it would let a fault read a swap slot that was never
 * written); it is still charged, and freed with zswap_spm_free(NULL, ...).
 */
void zswap_spm_poison(struct folio *dev)
{
	int nid = folio_nid(dev);

	spm_stat_add(SPM_STORED_PAGES, -1);
	spm_stat_add(SPM_POISONED, 1);
	/* A claim goes with the mm's page, which memory_failure() handles. */
	if (zswap_spm_own(dev))
		ccm_quarantine_folio(dev);
	zswap_spm_node_put(nid);
}

/**
 * zswap_spm_free - free a device entry's page
 * @dev: the device folio, or NULL for an entry that zswap_spm_poison()
 *	left without one
 * @charge: the bytes the entry was charged
 *
 * The driver zeroes the page before it reuses it; a page the mm still holds
 * (zswap_spm_claimed()) is left to it.  Safe under spinlocks.
 */
void zswap_spm_free(struct folio *dev, unsigned int charge)
{
	int nid;

	spm_stat_add(SPM_CHARGED_BYTES, -(long)charge);
	if (!dev) {
		spm_stat_add(SPM_POISONED, -1);
		return;
	}
	nid = folio_nid(dev);
	spm_stat_add(SPM_STORED_PAGES, -1);
	if (zswap_spm_own(dev))
		ccm_free_folio(dev);
	spm_free_delay();
	zswap_spm_node_put(nid);
}

/**
 * zswap_spm_claimed - is a device entry's page still the mm's?
 * @dev: the device folio of an entry
 *
 * A page stored again while mapped from the device (see zswap_spm_store())
 * is read through the entry at once, but stays the mm's until reclaim frees
 * it: until then nothing may take a reference to it, lock it or map it.
 *
 * Return: true while that is so.
 */
bool zswap_spm_claimed(struct folio *dev)
{
	return ccm_folio_claimed(dev);
}

/**
 * zswap_spm_total_pages - the pool size of device entries
 *
 * Return: their charged bytes in pages, for zswap_total_pages().
 */
unsigned long zswap_spm_total_pages(void)
{
	long bytes = atomic_long_read(&zswap_spm_stats[SPM_CHARGED_BYTES]);

	return bytes > 0 ? DIV_ROUND_UP(bytes, PAGE_SIZE) : 0;
}

/* -------- escape valve -------- */
#define SPM_VALVE_BATCH		256
#define SPM_EVACUATE_TIMEOUT	(30 * HZ)

/* Pages of ours on the device of @nid: entries, and pages mapped from it. */
static bool zswap_spm_holds(int nid)
{
	return atomic_long_read(&zswap_spm_node_pages[nid]) ||
	       ccm_lent_pages(nid);
}

/* Device nodes where we hold pages and the device is under pressure. */
static void zswap_spm_hot_nodes(nodemask_t *devs)
{
	int nid;

	nodes_clear(*devs);
	for_each_node_state(nid, N_SPM) {
		if (zswap_spm_holds(nid) &&
		    ccm_pressure(nid) >= CCM_PRESSURE_HIGH)
			node_set(nid, *devs);
	}
}

/* The DRAM node nearest to @nid, or NUMA_NO_NODE. */
static int zswap_spm_dram_node(int nid)
{
	int n, best = NUMA_NO_NODE;

	for_each_node_state(n, N_MEMORY) {
		if (best == NUMA_NO_NODE ||
		    node_distance(nid, n) < node_distance(nid, best))
			best = n;
	}
	return best;
}

/*
 * Pages mapped from a device count as stored until their last reference
 * goes, and only the mm can move them: migrate up to @nr of those on @nid
 * to DRAM, as move_pages(2) would.  Their device pages come back to the
 * driver as the migration frees them, to be zeroed.  DRAM is not reclaimed
 * for them: if it is short, the device stays full and stores go to the
 * software pool.
 */
static unsigned long zswap_spm_move_mapped(int nid, unsigned long nr)
{
	struct migration_target_control mtc = {
		.nid = zswap_spm_dram_node(nid),
		.nmask = &node_states[N_MEMORY],
		.gfp_mask = (GFP_HIGHUSER_MOVABLE & ~__GFP_DIRECT_RECLAIM) |
			    __GFP_NOWARN,
		.reason = MR_SYSCALL,
	};
	unsigned long pfn, isolated = 0;
	unsigned int moved = 0;
	struct folio *folio;
	struct page *page;
	LIST_HEAD(folios);

	if (mtc.nid == NUMA_NO_NODE)
		return 0;
	/* Pages just mapped may sit in a per-CPU batch, off the LRU. */
	lru_add_drain_all();
	/* The device's memory stays while we walk it. */
	get_online_mems();
	for (pfn = node_start_pfn(nid);
	     pfn < node_end_pfn(nid) && isolated < nr; pfn++) {
		if (!(pfn % 1024))
			cond_resched();
		page = pfn_to_online_page(pfn);
		if (!page)
			continue;
		folio = page_folio(page);
		/*
		 * Only mapped device pages are on an LRU.  One stored again
		 * comes back to its entry when freed: moving it frees nothing.
		 */
		if (!folio_test_lru(folio) || !folio_try_get(folio))
			continue;
		if (page_folio(page) == folio && folio_test_anon(folio) &&
		    !folio_test_large(folio) && !ccm_folio_claimed(folio) &&
		    folio_isolate_lru(folio)) {
			list_add_tail(&folio->lru, &folios);
			node_stat_mod_folio(folio, NR_ISOLATED_ANON, 1);
			isolated++;
		}
		folio_put(folio);
	}
	if (!list_empty(&folios) &&
	    migrate_pages(&folios, alloc_migration_target, NULL,
			  (unsigned long)&mtc, MIGRATE_SYNC, MR_SYSCALL, &moved))
		putback_movable_pages(&folios);
	put_online_mems();
	spm_stat_add(SPM_MAPPED_MOVED, moved);
	return moved;
}

/*
 * Move entries off devices under high pressure until it drops; when there
 * are too few entries to move, migrate pages mapped from the device to
 * DRAM too: they count as stored, and a device full of them would refuse
 * every store.  Frees show in the device's usage only after the scrub and
 * the next telemetry reading, so passes are paced rather than run back to
 * back.
 */
static void zswap_spm_valve(struct work_struct *work)
{
	unsigned long moved;
	nodemask_t devs;
	int nid;

	zswap_spm_hot_nodes(&devs);
	if (nodes_empty(devs))
		return;

	spm_stat_add(SPM_VALVE_RUNS, 1);
	moved = zswap_spm_evict(&devs, SPM_VALVE_BATCH, false);
	for_each_node_mask(nid, devs) {
		if (moved >= SPM_VALVE_BATCH)
			break;
		if (ccm_lent_pages(nid))
			moved += zswap_spm_move_mapped(nid,
						       SPM_VALVE_BATCH - moved);
	}
	/* Over a pass a store may have queued one at once: pace it. */
	mod_delayed_work(zswap_spm_wq, &zswap_spm_valve_work,
			 moved ? HZ / 50 : HZ);
}

/*
 * Move every entry off the device on @nid, past zswap.max and
 * zswap.writeback.  Entries whose device page failed a read have given it
 * up already.  Gives up after SPM_EVACUATE_TIMEOUT without progress (entries
 * that stay busy): the driver then keeps the device's memory.
 */
static void zswap_spm_evacuate(int nid)
{
	unsigned long deadline = jiffies + SPM_EVACUATE_TIMEOUT;
	nodemask_t devs = nodemask_of_node(nid);
	unsigned long moved;

	/* Stores admitted before the device closed have counted their page. */
	synchronize_rcu();
	while (atomic_long_read_acquire(&zswap_spm_node_pages[nid])) {
		if (time_after(jiffies, deadline)) {
			pr_err("%ld entries still on node %d after %ds without progress\n",
			       atomic_long_read(&zswap_spm_node_pages[nid]),
			       nid, SPM_EVACUATE_TIMEOUT / HZ);
			return;
		}
		moved = zswap_spm_evict(&devs, ULONG_MAX, true);
		spm_stat_add(SPM_EVACUATED, moved);
		if (moved)
			deadline = jiffies + SPM_EVACUATE_TIMEOUT;
		else	/* entries busy in the swap cache or mid-store */
			msleep(20);
	}
}

static int zswap_spm_notify(struct notifier_block *nb, unsigned long action,
			    void *data)
{
	struct ccm_event *ev = data;

	switch (action) {
	case CCM_EVENT_ADD:
	case CCM_EVENT_REMOVE:
		mutex_lock(&zswap_spm_key_lock);
		if (action == CCM_EVENT_ADD)
			zswap_spm_devices++;
		else if (zswap_spm_devices)
			zswap_spm_devices--;
		zswap_spm_key_update();
		mutex_unlock(&zswap_spm_key_lock);
		if (action == CCM_EVENT_REMOVE)
			zswap_spm_evacuate(ev->nid);
		break;
	case CCM_EVENT_PRESSURE:
		if (ev->level >= CCM_PRESSURE_HIGH && zswap_spm_holds(ev->nid))
			mod_delayed_work(zswap_spm_wq, &zswap_spm_valve_work, 0);
		break;
	}
	return NOTIFY_OK;
}

static struct notifier_block zswap_spm_nb = {
	.notifier_call = zswap_spm_notify,
};

/* -------- debugfs -------- */
#ifdef CONFIG_DEBUG_FS
static int spm_stat_get(void *data, u64 *val)
{
	long v = atomic_long_read(data);

	*val = v > 0 ? v : 0;
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(spm_stat_fops, spm_stat_get, NULL, "%llu\n");

static const char * const spm_stat_names[NR_SPM_STATS] = {
	[SPM_STORED_PAGES]	= "spm_stored_pages",
	[SPM_CHARGED_BYTES]	= "spm_charged_bytes",
	[SPM_REJECT_NODEV]	= "spm_reject_nodev",
	[SPM_REJECT_FULL]	= "spm_reject_full",
	[SPM_REJECT_COPY]	= "spm_reject_copy",
	[SPM_LOAD_FAIL]		= "spm_load_fail",
	[SPM_POISONED]		= "spm_poisoned",
	[SPM_RECOMPRESSED]	= "spm_recompressed",
	[SPM_WRITTEN_BACK]	= "spm_written_back",
	[SPM_VALVE_RUNS]	= "spm_valve_runs",
	[SPM_EVACUATED]		= "spm_evacuated",
	[SPM_MAPPED]		= "spm_mapped",
	[SPM_RESTORED]		= "spm_restored",
	[SPM_MAPPED_MOVED]	= "spm_mapped_moved",
};

/*
 * spm_writable_ptes, a test oracle: PTEs that map a page of an SPM node
 * writable or dirty.  Device pages are mapped read-only and every write
 * moves them to DRAM first: this must read 0.  Walks every mapped page of
 * every SPM node.
 */
static bool spm_count_writable(struct folio *folio, struct vm_area_struct *vma,
			       unsigned long addr, void *arg)
{
	DEFINE_FOLIO_VMA_WALK(pvmw, folio, vma, addr, 0);
	unsigned long *n = arg;
	pte_t pte;

	while (page_vma_mapped_walk(&pvmw)) {
		if (!pvmw.pte)
			continue;
		pte = ptep_get(pvmw.pte);
		if (pte_present(pte) && (pte_write(pte) || pte_dirty(pte)))
			(*n)++;
	}
	return true;
}

static int spm_writable_get(void *data, u64 *val)
{
	unsigned long n = 0, pfn;
	struct rmap_walk_control rwc = {
		.rmap_one = spm_count_writable,
		.arg = &n,
		.anon_lock = folio_lock_anon_vma_read,
	};
	struct folio *folio;
	struct page *page;
	int nid;

	for_each_node_state(nid, N_SPM) {
		for (pfn = node_start_pfn(nid); pfn < node_end_pfn(nid); pfn++) {
			page = pfn_to_online_page(pfn);
			if (!page)
				continue;
			folio = page_folio(page);
			if (!folio_try_get(folio))
				continue;
			if (folio_test_anon(folio) && folio_mapped(folio) &&
			    folio_trylock(folio)) {
				rmap_walk(folio, &rwc);
				folio_unlock(folio);
			}
			folio_put(folio);
			cond_resched();
		}
	}
	*val = n;
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(spm_writable_fops, spm_writable_get, NULL, "%llu\n");

/**
 * zswap_spm_debugfs_init - add the backend's counters to zswap's directory
 * @root: /sys/kernel/debug/zswap
 */
void zswap_spm_debugfs_init(struct dentry *root)
{
	int i;

	for (i = 0; i < NR_SPM_STATS; i++)
		debugfs_create_file_unsafe(spm_stat_names[i], 0444, root,
					   &zswap_spm_stats[i], &spm_stat_fops);
	debugfs_create_file_unsafe("spm_writable_ptes", 0400, root, NULL,
				   &spm_writable_fops);
#ifdef CONFIG_FAULT_INJECTION_DEBUG_FS
	fault_create_debugfs_attr("fail_spm_store", root, &fail_spm_store);
	fault_create_debugfs_attr("fail_spm_load", root, &fail_spm_load);
	debugfs_create_u32("spm_inject_free_delay_ms", 0600, root,
			   &spm_free_delay_ms);
#endif
}
#else
void zswap_spm_debugfs_init(struct dentry *root)
{
}
#endif

/* -------- init -------- */
static int __init zswap_spm_init(void)
{
	/* Tells us of the devices bound already, and sets the keys. */
	return ccm_register_notifier(&zswap_spm_nb);
}
late_initcall(zswap_spm_init);
