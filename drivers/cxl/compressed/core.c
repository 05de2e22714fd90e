// SPDX-License-Identifier: GPL-2.0
/*
 * Compressed CXL memory expanders.
 *
 * Binds the dax device of a CXL RAM region whose device compresses inline,
 * hot-adds its memory as an SPM node and hands out its pages only through
 * admission control that keeps the device's physical usage below its
 * physical capacity.  See Documentation/admin-guide/mm/cxl_compressed.rst.
 */
#include <linux/highmem.h>
#include <linux/kobject.h>
#include <linux/libnvdimm.h>
#include <linux/memory.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <linux/spm_node.h>
#include "../../dax/dax-private.h"
#include "../../dax/bus.h"
#include "../cxl.h"
#include "ccm.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

static char *model = "none";
module_param(model, charp, 0444);
MODULE_PARM_DESC(model,
		 "Emulated engine for devices without compression telemetry: none, lz4 or fixed");

static bool ccm_page_freed(struct page *page);
static void ccm_page_poisoned(struct page *page);

/* The owner of our nodes: nothing else allocates there. */
static const struct spm_owner ccm_owner = {
	.name = "cxl_compressed",
	.page_freed = ccm_page_freed,
	.page_poisoned = ccm_page_poisoned,
};

/* Must stay valid while memory is added: the resource keeps a pointer. */
static const char ccm_res_name[] = "System RAM (cxl_compressed)";

static LIST_HEAD(ccm_devs);
static DEFINE_MUTEX(ccm_devs_lock);
static BLOCKING_NOTIFIER_HEAD(ccm_chain);
/* Scrubbing is on the reclaim path of consumers such as zswap. */
struct workqueue_struct *ccm_wq;

static const char * const ccm_level_str[] = {
	[CCM_PRESSURE_NONE] = "none",
	[CCM_PRESSURE_LOW] = "low",
	[CCM_PRESSURE_HIGH] = "high",
	[CCM_PRESSURE_CRITICAL] = "critical",
};

static const char * const ccm_mode_str[] = {
	[CCM_MODEL_NONE] = "none",
	[CCM_MODEL_LZ4] = "lz4",
	[CCM_MODEL_FIXED] = "fixed",
};

/* Caller holds rcu_read_lock() or ccm_devs_lock. */
static struct ccm_dev *ccm_find(int nid)
{
	struct ccm_dev *cd;

	list_for_each_entry_rcu(cd, &ccm_devs, list,
				lockdep_is_held(&ccm_devs_lock))
		if (cd->nid == nid)
			return cd;
	return NULL;
}

static bool ccm_owns(struct ccm_dev *cd, unsigned long pfn)
{
	return pfn >= PHYS_PFN(cd->range.start) &&
	       pfn <= PHYS_PFN(cd->range.end);
}

/* The ratio the device promises: what it advertises over what it has. */
static unsigned int ccm_nominal_ratio(struct ccm_dev *cd)
{
	return ccm_ratio(ccm_nr_pages(cd), cd->acct.capacity);
}

/* Caller holds cd->lock. */
static void ccm_check_level(struct ccm_dev *cd)
{
	if (cd->acct.level != cd->notified)
		queue_work(system_dfl_wq, &cd->notify_work);
}

static void ccm_notify_work(struct work_struct *work)
{
	struct ccm_dev *cd = container_of(work, struct ccm_dev, notify_work);
	enum ccm_pressure old, new;
	struct ccm_event ev;
	char env[48];
	char *envp[2];
	u64 bound;

	spin_lock(&cd->lock);
	old = cd->notified;
	new = cd->acct.level;
	bound = ccm_acct_bound(&cd->acct);
	cd->notified = new;
	spin_unlock(&cd->lock);
	if (old == new)
		return;

	trace_cxl_compressed_pressure(cd->dev, old, new, bound,
				      cd->acct.capacity);
	sysfs_notify(&cd->dev->kobj, "compressed", "pressure");
	snprintf(env, sizeof(env), "CXL_COMPRESSED_PRESSURE=%s",
		 ccm_level_str[new]);
	envp[0] = env;
	envp[1] = NULL;
	kobject_uevent_env(&cd->dev->kobj, KOBJ_CHANGE, envp);
	ev.nid = cd->nid;
	ev.level = new;
	blocking_notifier_call_chain(&ccm_chain, CCM_EVENT_PRESSURE, &ev);
}

/**
 * ccm_level_changed - announce the current level if it changed
 * @cd: the device
 *
 * For state changes made outside this file (fault injection).
 */
void ccm_level_changed(struct ccm_dev *cd)
{
	spin_lock(&cd->lock);
	ccm_acct_update(&cd->acct);
	ccm_check_level(cd);
	spin_unlock(&cd->lock);
}

/**
 * ccm_telemetry - apply a telemetry reading of a device
 * @cd: the device
 * @used: physical usage in bytes
 * @accounted: how many page writes the reading includes (monotonic)
 */
void ccm_telemetry(struct ccm_dev *cd, u64 used, u64 accounted)
{
	u64 held, pending;

	spin_lock(&cd->lock);
	ccm_acct_telemetry(&cd->acct, used, accounted);
	/*
	 * The pages whose data the reading includes: those held or not yet
	 * zeroed, less those written since.  Without any, keep the last
	 * figure.
	 */
	held = cd->stored + cd->scrub_pending + cd->nr_poisoned;
	pending = ccm_acct_pending(&cd->acct);
	if (accounted == cd->acct.tele_accounted && held > pending)
		WRITE_ONCE(cd->ratio_seen, ccm_ratio(held - pending, used));
	else if (!held)
		/* Empty: nothing is known of the next data. */
		WRITE_ONCE(cd->ratio_seen, ccm_nominal_ratio(cd));
	ccm_check_level(cd);
	spin_unlock(&cd->lock);
}

/**
 * ccm_telemetry_failed - a telemetry reading failed
 * @cd: the device
 *
 * Usage is unknown until the next good reading: admit nothing.
 */
void ccm_telemetry_failed(struct ccm_dev *cd)
{
	spin_lock(&cd->lock);
	if (!cd->acct.tele_failed)
		dev_err_ratelimited(cd->dev,
				    "telemetry failed: admission stopped\n");
	cd->acct.tele_failed = true;
	ccm_acct_update(&cd->acct);
	ccm_check_level(cd);
	spin_unlock(&cd->lock);
}

/**
 * ccm_alarm - the device raised its watermark alarm
 * @cd: the device
 * @used: the usage it reported with the alarm
 *
 * Admission keeps usage below the critical watermark, so an alarm means the
 * tracking failed.  Admission stops at once; the alarm is counted and
 * reported from process context, and holds until a telemetry reading below
 * the critical watermark or an operator (writing "ok" to telemetry) clears
 * it.  Any context, hard interrupts included.
 */
void ccm_alarm(struct ccm_dev *cd, u64 used)
{
	WRITE_ONCE(cd->alarm_used, used);
	/* Read by admission under cd->lock, which this may not take. */
	WRITE_ONCE(cd->acct.alarm, true);
	queue_work(ccm_wq, &cd->alarm_work);
}

static void ccm_alarm_work(struct work_struct *work)
{
	struct ccm_dev *cd = container_of(work, struct ccm_dev, alarm_work);
	u64 used = READ_ONCE(cd->alarm_used), wm;

	spin_lock(&cd->lock);
	cd->alarms++;
	wm = cd->acct.wm[CCM_WM_CRIT];
	/* ccm_alarm() set it; a reading below critical may have cleared it. */
	ccm_acct_update(&cd->acct);
	ccm_check_level(cd);
	spin_unlock(&cd->lock);
	trace_cxl_compressed_alarm(cd->dev, used, wm);
	dev_err_ratelimited(cd->dev,
			    "watermark alarm: device uses %llu bytes, critical watermark %llu: usage tracking failed, admission stopped\n",
			    used, wm);
}

/*
 * Give a page back to the page allocator.  While pages may be mapped, every
 * freed page of the node comes to ccm_page_freed() first: this one is not to
 * be kept.  The bit outlives the free if nothing was mapped yet, and is
 * cleared when the page is allocated again.
 */
/*
 * A lent page stored again (ccm_folio_restore()) and then freed by the mm
 * becomes its consumer's: a folio again, with the reference the consumer
 * did not hold until now, and no longer lent.  The bit is cleared last,
 * with release semantics, so that a consumer that sees it clear without
 * the lock sees the folio whole and its lent bit gone: the consumer may
 * free it at once.  Any context but NMI.
 */
static bool ccm_claim_take(struct ccm_dev *cd, struct page *page)
{
	unsigned long idx = ccm_page_index(cd, page_to_pfn(page));
	unsigned long flags;
	bool taken = false;

	if (!test_bit(idx, cd->claimed))
		return false;
	spin_lock_irqsave(&cd->claim_lock, flags);
	if (test_bit(idx, cd->claimed)) {
		spm_page_reuse(page);
		if (test_and_clear_bit(idx, cd->lent))
			atomic_long_dec(&cd->nr_lent);
		atomic_long_dec(&cd->nr_claimed);
		clear_bit_unlock(idx, cd->claimed);
		taken = true;
	}
	spin_unlock_irqrestore(&cd->claim_lock, flags);
	return taken;
}

static void ccm_release(struct ccm_dev *cd, struct folio *folio)
{
	set_bit(ccm_page_index(cd, folio_pfn(folio)), cd->releasing);
	if (folio_ref_count(folio))
		spm_folio_free(folio);
	else	/* kept by ccm_page_freed() */
		spm_page_release(&folio->page);
}

/*
 * The page allocator's page_freed() of our nodes: the last reference to a
 * page was dropped, in any context but NMI.  A page the driver frees itself
 * goes to the page allocator.  Any other page holds data: it was lent to be
 * mapped, and munmap, exit, a copy on write, reclaim or migration freed it.
 * It is kept for the scrub, and still counts as stored and lent until the
 * scrub worker takes it; one its consumer stored again is the consumer's.
 * A page with a memory error goes: the mm keeps it out of the page
 * allocator, and its space on the device stays used.  If memory_failure()
 * did not count it (soft offline, for one), the scrub worker does.
 */
static bool ccm_page_freed(struct page *page)
{
	unsigned long pfn = page_to_pfn(page), idx;
	struct ccm_dev *cd;
	bool keep = false;

	rcu_read_lock();
	cd = ccm_find(page_to_nid(page));
	if (!cd || !ccm_owns(cd, pfn))
		goto out;
	idx = ccm_page_index(cd, pfn);
	if (test_and_clear_bit(idx, cd->releasing))
		goto out;
	if (unlikely(PageHWPoison(page))) {
		if (test_and_clear_bit(idx, cd->lent)) {
			atomic_long_dec(&cd->nr_lent);
			atomic_long_inc(&cd->poisoned_freed);
			queue_work(ccm_wq, &cd->scrub_work);
		}
		goto out;
	}
	if (!test_bit(idx, cd->lent))
		dev_WARN_ONCE(cd->dev, 1, "page %#lx freed, never lent\n", pfn);
	/* Not claimed, or claimed: stored again, its consumer's now. */
	if (!ccm_claim_take(cd, page)) {
		llist_add(&page->pcp_llist, &cd->freed);
		queue_work(ccm_wq, &cd->scrub_work);
	}
	keep = true;
out:
	rcu_read_unlock();
	return keep;
}

/*
 * The page allocator's page_poisoned() of our nodes: memory_failure() found
 * a memory error in a page in use and keeps it.  A lent page is the mm's,
 * mapped or on its way to being freed: it leaves mapped_pages and
 * stored_pages for poisoned_pages (it keeps its space on the device, never
 * zeroed) and does not come back.  Whichever of this and the scrub worker
 * clears its lent bit counts it.  Our consumers' own pages fail their next
 * read instead, which quarantines them; free pages are the page
 * allocator's.
 */
static void ccm_page_poisoned(struct page *page)
{
	unsigned long pfn = page_to_pfn(page);
	struct ccm_dev *cd;

	rcu_read_lock();
	cd = ccm_find(page_to_nid(page));
	if (cd && ccm_owns(cd, pfn)) {
		spin_lock(&cd->lock);
		if (test_and_clear_bit(ccm_page_index(cd, pfn), cd->lent)) {
			atomic_long_dec(&cd->nr_lent);
			cd->stored--;
			cd->nr_poisoned++;
			dev_warn_ratelimited(cd->dev, "memory error in mapped page %#lx: the mm keeps it\n",
					     pfn);
		}
		spin_unlock(&cd->lock);
	}
	rcu_read_unlock();
}

/**
 * ccm_dev_alloc - allocate a page of one device under admission control
 * @cd: the device
 * @gfp: allocation flags; never sleeps for reclaim
 * @stop: the pressure level at which the device admits nothing
 * @min_ratio: refuse while the device's data compresses less than this, in
 *	percent (ratio_seen); 0 for no such limit
 *
 * The page is allocated first and admitted after, so that the count of
 * pages held never includes one that was not there.
 *
 * Return: the folio, or ERR_PTR(-ENOSPC) if the device refuses.
 */
struct folio *ccm_dev_alloc(struct ccm_dev *cd, gfp_t gfp,
			    enum ccm_pressure stop, unsigned int min_ratio)
{
	struct folio *folio = NULL;
	enum ccm_refusal why;
	unsigned long idx;
	u64 bound;

	/* No page for what would be refused anyway. */
	if (READ_ONCE(cd->ratio_seen) >= min_ratio && !READ_ONCE(cd->closing) &&
	    READ_ONCE(cd->acct.level) < stop) {
		gfp &= ~(__GFP_RECLAIM | __GFP_NOFAIL);
		folio = spm_folio_alloc(&ccm_owner, cd->nid,
					gfp | __GFP_NOWARN, 0);
	}
	if (folio && !ccm_owns(cd, folio_pfn(folio))) {
		/* SPM memory of another owner on this node: not ours. */
		dev_WARN_ONCE(cd->dev, 1, "page %#lx of node %d is not the device's\n",
			      folio_pfn(folio), cd->nid);
		spm_folio_free(folio);
		folio = NULL;
	}
	if (folio) {
		/* Left set by a free while nothing was mapped; see below. */
		idx = ccm_page_index(cd, folio_pfn(folio));
		clear_bit(idx, cd->releasing);
		clear_bit(idx, cd->lent);
		clear_bit(idx, cd->claimed);
	}

	spin_lock(&cd->lock);
	if (READ_ONCE(cd->ratio_seen) < min_ratio)
		why = CCM_REFUSE_RATIO;
	else if (cd->closing)
		why = CCM_REFUSE_PRESSURE;
	else if (folio)
		why = ccm_acct_admit(&cd->acct, stop);
	else if (cd->acct.tele_failed || READ_ONCE(cd->acct.alarm))
		why = CCM_REFUSE_TELEMETRY;
	else if (cd->acct.level >= stop)
		why = CCM_REFUSE_PRESSURE;
	else
		why = CCM_REFUSE_NOMEM;
	if (why == CCM_ADMIT_OK)
		cd->stored++;
	else
		cd->refused[why]++;
	bound = ccm_acct_bound(&cd->acct);
	ccm_check_level(cd);
	spin_unlock(&cd->lock);
	if (why == CCM_ADMIT_OK)
		return folio;

	if (folio)
		ccm_release(cd, folio);
	trace_cxl_compressed_refuse(cd->dev, why, bound);
	return ERR_PTR(-ENOSPC);
}

/**
 * ccm_alloc_folio - allocate a page on a compressed device
 * @nid: the node the caller runs on or prefers; NUMA_NO_NODE for this CPU's
 * @gfp: allocation flags; reclaim flags are ignored, this never sleeps
 * @min_ratio: skip devices whose data compresses less than this, in percent
 *	(struct ccm_state's ratio_seen); 0 for no such limit
 *
 * Tries the bound devices nearest to @nid first.  A device at high pressure
 * or above admits nothing here until its level falls below high again (by
 * the watermarks' hysteresis): consumers move data off it meanwhile, and
 * would only move new pages off at once.  The folio is an ordinary
 * order-0 buddy folio with one reference.  Once the caller has written it,
 * it calls ccm_folio_stored(); it frees it with ccm_free_folio() only.  The
 * caller keeps it off the LRU and never makes it movable: a migration would
 * move the data off the device behind the accounting's back.  Process
 * context only; this never sleeps.
 *
 * Return: the folio, ERR_PTR(-ENOSPC) if every device refused, or
 * ERR_PTR(-ENODEV) if none is bound.
 */
struct folio *ccm_alloc_folio(int nid, gfp_t gfp, unsigned int min_ratio)
{
	struct folio *folio = ERR_PTR(-ENODEV);
	nodemask_t tried = NODE_MASK_NONE;
	struct ccm_dev *cd, *best;

	if (nid == NUMA_NO_NODE)
		nid = numa_node_id();
	rcu_read_lock();
	for (;;) {
		best = NULL;
		list_for_each_entry_rcu(cd, &ccm_devs, list) {
			if (node_isset(cd->nid, tried))
				continue;
			if (!best || node_distance(nid, cd->nid) <
				     node_distance(nid, best->nid))
				best = cd;
		}
		if (!best)
			break;
		node_set(best->nid, tried);
		folio = ccm_dev_alloc(best, gfp, CCM_PRESSURE_HIGH, min_ratio);
		if (!IS_ERR(folio))
			break;
	}
	rcu_read_unlock();
	return folio;
}
EXPORT_SYMBOL_GPL(ccm_alloc_folio);

/**
 * ccm_synced - the device now holds what the CPU last wrote to a page
 * @cd: the device
 * @folio: its page, zeroed by the device itself or written back
 */
void ccm_synced(struct ccm_dev *cd, struct folio *folio)
{
	cd->engine->synced(cd, ccm_page_index(cd, folio_pfn(folio)));
}

/*
 * The device compresses what reaches its media, not what sits in the CPU's
 * cache: write a page's lines back before it counts as written or zeroed.
 */
static void ccm_write_back(struct ccm_dev *cd, struct folio *folio)
{
	arch_wb_cache_pmem(folio_address(folio), PAGE_SIZE);
	/* Done before anything that tells the device the page is ready. */
	wmb();
	ccm_synced(cd, folio);
}

static struct ccm_dev *ccm_dev_of(const struct folio *folio)
{
	struct ccm_dev *cd;

	rcu_read_lock();
	cd = ccm_find(folio_nid(folio));
	rcu_read_unlock();
	/* A device stays listed while it has pages (see ccm_remove()). */
	return cd;
}

/**
 * ccm_folio_stored - report that a device page was written
 * @folio: a folio from ccm_alloc_folio()
 * @state: if not NULL, set to the device's state, so that a consumer that
 *	charges for the page or watches the pressure need not look the
 *	device up again
 *
 * Call once after writing the data, which this writes back from the CPU's
 * cache to the device.  The page counts as a full page until the device's
 * telemetry includes it.
 */
void ccm_folio_stored(struct folio *folio, struct ccm_state *state)
{
	struct ccm_dev *cd = ccm_dev_of(folio);
	unsigned long idx;

	if (state) {
		state->ratio_seen = cd ? READ_ONCE(cd->ratio_seen) :
					 CCM_RATIO_MIN;
		state->level = cd ? READ_ONCE(cd->acct.level) :
				    CCM_PRESSURE_CRITICAL;
	}
	if (WARN_ON_ONCE(!cd))
		return;
	idx = ccm_page_index(cd, folio_pfn(folio));
	if (WARN_ON_ONCE(test_and_set_bit(idx, cd->written)))
		return;
	ccm_write_back(cd, folio);
	cd->engine->stored(cd, idx);
}
EXPORT_SYMBOL_GPL(ccm_folio_stored);

/**
 * ccm_folio_lend - a consumer lets processes map a device page
 * @folio: a folio from ccm_alloc_folio() that ccm_folio_stored() reported
 *
 * The consumer gives up its reference, but the page still holds its data
 * and counts as stored.  The page allocator hands it back when its last
 * reference goes, however that happens; then it is zeroed and freed as by
 * ccm_free_folio().  The mm never makes a lent page writable (every write
 * copies it to ordinary memory first) and never migrates a page onto the
 * device; it may migrate one off it.  Call spm_mapping_enable() before the
 * first lend.
 */
void ccm_folio_lend(struct folio *folio)
{
	struct ccm_dev *cd = ccm_dev_of(folio);

	if (WARN_ON_ONCE(!cd))
		return;
	if (!test_and_set_bit(ccm_page_index(cd, folio_pfn(folio)), cd->lent))
		atomic_long_inc(&cd->nr_lent);
}
EXPORT_SYMBOL_GPL(ccm_folio_lend);

/**
 * ccm_folio_restore - store a lent page again, without a copy
 * @folio: a page lent with ccm_folio_lend() and not freed yet, locked and
 *	unmapped (it may be mapped again), holding the data it was stored with
 * @state: as for ccm_folio_stored()
 *
 * For a consumer that is asked to store a page mapped from the device: the
 * page holds that data already, and never stopped counting as stored, so
 * there is no copy and no new admission.  The consumer gets a claim, not a
 * reference: the page is the mm's until its last reference goes, and then
 * the consumer's, as a folio with one reference that ccm_folio_stored()
 * reported (not zeroed).  Until then the consumer may read it, and may give
 * the claim up with ccm_folio_unclaim(), which it calls before it frees,
 * quarantines or takes the page in any other way.
 *
 * Return: 0; -EBUSY if the page is not lent, was stored again already, or
 * the device is closing: store a copy.
 */
int ccm_folio_restore(struct folio *folio, struct ccm_state *state)
{
	struct ccm_dev *cd = ccm_dev_of(folio);
	unsigned long idx, flags;
	int ret = -EBUSY;

	if (!cd)
		return -EBUSY;
	VM_WARN_ON_ONCE_FOLIO(folio_mapped(folio), folio);
	idx = ccm_page_index(cd, folio_pfn(folio));
	spin_lock_irqsave(&cd->claim_lock, flags);
	/*
	 * As for an admission: the removal's consumers wait for a grace
	 * period after closing, and the caller counts the page in an RCU
	 * read section around this call.
	 */
	if (!READ_ONCE(cd->closing) && test_bit(idx, cd->lent) &&
	    test_bit(idx, cd->written) && !test_bit(idx, cd->releasing) &&
	    !test_and_set_bit(idx, cd->claimed)) {
		atomic_long_inc(&cd->nr_claimed);
		ret = 0;
	}
	spin_unlock_irqrestore(&cd->claim_lock, flags);
	if (state) {
		state->ratio_seen = READ_ONCE(cd->ratio_seen);
		state->level = READ_ONCE(cd->acct.level);
	}
	return ret;
}
EXPORT_SYMBOL_GPL(ccm_folio_restore);

/**
 * ccm_folio_claimed - is a page stored again still the mm's?
 * @folio: a page the caller stored again with ccm_folio_restore()
 *
 * Return: true while the mm still holds it: the caller may read it but
 * must not take a reference; false once it is the caller's folio.
 */
bool ccm_folio_claimed(struct folio *folio)
{
	struct ccm_dev *cd = ccm_dev_of(folio);

	return cd && test_bit_acquire(ccm_page_index(cd, folio_pfn(folio)),
				      cd->claimed);
}
EXPORT_SYMBOL_GPL(ccm_folio_claimed);

/**
 * ccm_folio_unclaim - give up a claim on a page stored again
 * @folio: a device page of the caller's
 *
 * Safe under spinlocks.
 *
 * Return: true if @folio was a claim the mm still held: it is given up,
 * the page stays lent and the caller never touches it again.  False if
 * @folio is the caller's folio (it never was a claim, or the mm freed it
 * meanwhile): free it as any other.
 */
bool ccm_folio_unclaim(struct folio *folio)
{
	struct ccm_dev *cd = ccm_dev_of(folio);
	unsigned long idx, flags;
	bool dropped;

	if (!cd)
		return false;
	idx = ccm_page_index(cd, folio_pfn(folio));
	if (!test_bit_acquire(idx, cd->claimed))
		return false;
	spin_lock_irqsave(&cd->claim_lock, flags);
	dropped = test_and_clear_bit(idx, cd->claimed);
	if (dropped)
		atomic_long_dec(&cd->nr_claimed);
	spin_unlock_irqrestore(&cd->claim_lock, flags);
	return dropped;
}
EXPORT_SYMBOL_GPL(ccm_folio_unclaim);

/**
 * ccm_free_folio - free a device page
 * @folio: a folio from ccm_alloc_folio(), with the caller's reference,
 *	not mapped, on no list and never made movable; a speculative
 *	reference of a PFN walker may remain
 *
 * The page is zeroed, off this path, so that the device releases its
 * physical space, and only then returns to the page allocator.  Until then
 * it counts in the device's usage as before.
 */
void ccm_free_folio(struct folio *folio)
{
	struct ccm_dev *cd = ccm_dev_of(folio);

	if (WARN_ON_ONCE(!cd))
		return;
	VM_WARN_ON_ONCE_FOLIO(folio_mapped(folio), folio);
	spin_lock(&cd->lock);
	cd->stored--;
	list_add_tail(&folio->lru, &cd->scrub_list);
	cd->scrub_pending++;
	/*
	 * Under the lock: once the caller's count of its pages here reads 0,
	 * ccm_remove()'s flush_work() must find this scrub queued, and the
	 * device must not be freed before queue_work() is done with it.
	 */
	queue_work(ccm_wq, &cd->scrub_work);
	spin_unlock(&cd->lock);
}
EXPORT_SYMBOL_GPL(ccm_free_folio);

/**
 * ccm_quarantine_folio - give up a device page that failed a read
 * @folio: a folio from ccm_alloc_folio(), as for ccm_free_folio()
 *
 * A page that failed a read (a machine check: the device reported it
 * poisoned) is never read, zeroed or handed out again: it keeps its
 * physical space, counts in poisoned_pages, and goes back to the page
 * allocator only when the device is removed.
 */
void ccm_quarantine_folio(struct folio *folio)
{
	struct ccm_dev *cd = ccm_dev_of(folio);

	if (WARN_ON_ONCE(!cd))
		return;
	spin_lock(&cd->lock);
	cd->stored--;
	list_add_tail(&folio->lru, &cd->poisoned);
	cd->nr_poisoned++;
	spin_unlock(&cd->lock);
}
EXPORT_SYMBOL_GPL(ccm_quarantine_folio);

static void ccm_scrub_work(struct work_struct *work)
{
	struct ccm_dev *cd = container_of(work, struct ccm_dev, scrub_work);
	struct llist_node *freed, *node, *next_node;
	struct folio *folio, *next;
	bool media = READ_ONCE(cd->scrub_media);
	unsigned long idx;
	LIST_HEAD(batch);
	long poisoned;
	bool cancel;
	int rc;

	freed = llist_del_all(&cd->freed);
	spin_lock(&cd->lock);
	/* Lent pages with a memory error that memory_failure() did not count. */
	poisoned = atomic_long_xchg(&cd->poisoned_freed, 0);
	cd->stored -= poisoned;
	cd->nr_poisoned += poisoned;
	llist_for_each_safe(node, next_node, freed) {
		folio = page_folio(container_of(node, struct page, pcp_llist));
		/*
		 * Both under the lock: ccm_remove() reads them together.  A
		 * memory error may have counted the page already.
		 */
		if (test_and_clear_bit(ccm_page_index(cd, folio_pfn(folio)),
				       cd->lent)) {
			atomic_long_dec(&cd->nr_lent);
			cd->stored--;
		}
		if (unlikely(folio_test_hwpoison(folio))) {
			/* Not zeroed, never handed out: the mm keeps it. */
			cd->nr_poisoned++;
			spin_unlock(&cd->lock);
			ccm_release(cd, folio);
			spin_lock(&cd->lock);
			continue;
		}
		list_add_tail(&folio->lru, &cd->scrub_list);
		cd->scrub_pending++;
	}
	list_splice_init(&cd->scrub_list, &batch);
	spin_unlock(&cd->lock);
	if (list_empty(&batch))
		return;

	if (media) {
		rc = ccm_media_zero(cd, &batch);
		if (rc == -ETIMEDOUT) {
			/*
			 * The device may still zero these pages: never hand
			 * them out again.
			 */
			dev_err(cd->dev, "Media Operations Zero timed out: scrubbing by CPU from now on, %lu pages withheld until reboot\n",
				list_count_nodes(&batch));
			WRITE_ONCE(cd->scrub_media, false);
			spin_lock(&cd->lock);
			list_splice_tail(&batch, &cd->quarantine);
			spin_unlock(&cd->lock);
			return;
		}
		if (rc) {
			dev_warn(cd->dev, "Media Operations Zero failed (%d): scrubbing by CPU from now on\n",
				 rc);
			WRITE_ONCE(cd->scrub_media, false);
			media = false;
		}
	}
	list_for_each_entry_safe(folio, next, &batch, lru) {
		list_del(&folio->lru);
		if (!media) {
			clear_highpage(folio_page(folio, 0));
			ccm_write_back(cd, folio);
		}
		idx = ccm_page_index(cd, folio_pfn(folio));
		cancel = cd->engine->scrubbed(cd, idx,
					      test_and_clear_bit(idx, cd->written));
		spin_lock(&cd->lock);
		if (cancel)
			ccm_acct_cancel(&cd->acct);
		cd->scrub_pending--;
		ccm_check_level(cd);
		spin_unlock(&cd->lock);
		ccm_release(cd, folio);
		cond_resched();
	}
}

/**
 * ccm_settle - wait until the device has accounted everything so far
 * @cd: the device
 *
 * Zeroes the freed pages and waits for the telemetry to include every write
 * and scrub made before the call.
 */
void ccm_settle(struct ccm_dev *cd)
{
	flush_work(&cd->scrub_work);
	cd->engine->settle(cd);
}

/**
 * ccm_pressure - the pressure level of the device on a node
 * @nid: the node
 *
 * Return: the level; CCM_PRESSURE_CRITICAL if no device is bound there.
 */
enum ccm_pressure ccm_pressure(int nid)
{
	enum ccm_pressure level = CCM_PRESSURE_CRITICAL;
	struct ccm_dev *cd;

	rcu_read_lock();
	cd = ccm_find(nid);
	if (cd)
		level = READ_ONCE(cd->acct.level);
	rcu_read_unlock();
	return level;
}
EXPORT_SYMBOL_GPL(ccm_pressure);

/**
 * ccm_lent_pages - how many pages of the device on a node are lent
 * @nid: the node
 *
 * Return: pages lent with ccm_folio_lend() that were not freed yet; 0 if no
 * device is bound there.
 */
unsigned long ccm_lent_pages(int nid)
{
	unsigned long n = 0;
	struct ccm_dev *cd;

	rcu_read_lock();
	cd = ccm_find(nid);
	if (cd)
		n = atomic_long_read(&cd->nr_lent);
	rcu_read_unlock();
	return n;
}
EXPORT_SYMBOL_GPL(ccm_lent_pages);

/* Caller holds cd->lock. */
static unsigned int __ccm_ratio(struct ccm_dev *cd)
{
	return ccm_ratio(cd->stored, ccm_acct_bound(&cd->acct));
}

/**
 * ccm_register_notifier - get told about devices, pressure changes, removals
 * @nb: the notifier block; called in process context with a
 *	struct ccm_event
 *
 * @nb gets CCM_EVENT_ADD at once for every device bound already.
 *
 * Return: 0, or the error of the registration.
 */
int ccm_register_notifier(struct notifier_block *nb)
{
	struct ccm_event ev;
	struct ccm_dev *cd;
	int rc;

	/* Probes announce new devices under the lock. */
	guard(mutex)(&ccm_devs_lock);
	rc = blocking_notifier_chain_register(&ccm_chain, nb);
	if (rc)
		return rc;
	list_for_each_entry(cd, &ccm_devs, list) {
		if (READ_ONCE(cd->closing))
			continue;
		ev.nid = cd->nid;
		ev.level = READ_ONCE(cd->acct.level);
		nb->notifier_call(nb, CCM_EVENT_ADD, &ev);
	}
	return 0;
}
EXPORT_SYMBOL_GPL(ccm_register_notifier);

/*
 * Caller holds cd->lock.  No page held, pending, waiting for a scrub or
 * quarantined.
 */
static bool ccm_idle(struct ccm_dev *cd)
{
	return !cd->stored && !cd->scrub_pending && !cd->nr_poisoned &&
	       !ccm_acct_pending(&cd->acct);
}

/**
 * ccm_set_capacity - change the physical capacity of an idle device
 * @cd: the device
 * @capacity: bytes
 *
 * Watermarks return to their defaults.
 *
 * Return: 0, -EINVAL for a bad value, -EBUSY if the device holds pages.
 */
int ccm_set_capacity(struct ccm_dev *cd, u64 capacity)
{
	int rc = 0;

	if (capacity < 64 * PAGE_SIZE || capacity > range_len(&cd->range) ||
	    !PAGE_ALIGNED(capacity))
		return -EINVAL;
	spin_lock(&cd->lock);
	if (ccm_idle(cd)) {
		ccm_acct_init(&cd->acct, capacity);
		WRITE_ONCE(cd->ratio_seen, ccm_nominal_ratio(cd));
		ccm_check_level(cd);
	} else {
		rc = -EBUSY;
	}
	spin_unlock(&cd->lock);
	return rc;
}

/**
 * ccm_idle_locked_call - run @fn on an idle device
 * @cd: the device
 * @fn: what to do, with cd->lock held
 * @arg: its argument
 *
 * Return: what @fn returns, or -EBUSY if the device holds pages.
 */
int ccm_idle_locked_call(struct ccm_dev *cd,
			 int (*fn)(struct ccm_dev *cd, unsigned long arg),
			 unsigned long arg)
{
	int rc = -EBUSY;

	spin_lock(&cd->lock);
	if (ccm_idle(cd))
		rc = fn(cd, arg);
	spin_unlock(&cd->lock);
	return rc;
}

/* sysfs: /sys/bus/dax/devices/daxX.Y/compressed/ */

#define CCM_SHOW_U64(_name, _expr)					\
static ssize_t _name##_show(struct device *dev,				\
			    struct device_attribute *attr, char *buf)	\
{									\
	struct ccm_dev *cd = dev_get_drvdata(dev);			\
	u64 val;							\
									\
	spin_lock(&cd->lock);						\
	val = (_expr);							\
	spin_unlock(&cd->lock);						\
	return sysfs_emit(buf, "%llu\n", val);				\
}

CCM_SHOW_U64(logical_bytes, range_len(&cd->range))
CCM_SHOW_U64(physical_bytes, cd->acct.capacity)
CCM_SHOW_U64(physical_used_bytes, cd->acct.tele_used + cd->acct.inject_used)
CCM_SHOW_U64(used_bound_bytes, ccm_acct_bound(&cd->acct))
CCM_SHOW_U64(pending_pages, ccm_acct_pending(&cd->acct))
CCM_SHOW_U64(stored_pages, cd->stored)
CCM_SHOW_U64(admissions, cd->acct.admitted)
CCM_SHOW_U64(admissions_refused,
	     cd->refused[CCM_REFUSE_TELEMETRY] +
	     cd->refused[CCM_REFUSE_PRESSURE] +
	     cd->refused[CCM_REFUSE_CAPACITY] +
	     cd->refused[CCM_REFUSE_NOMEM] +
	     cd->refused[CCM_REFUSE_RATIO])
CCM_SHOW_U64(alarms, cd->alarms)
CCM_SHOW_U64(poisoned_pages, cd->nr_poisoned)
CCM_SHOW_U64(mapped_pages, atomic_long_read(&cd->nr_lent))

static DEVICE_ATTR_RO(logical_bytes);
static DEVICE_ATTR_RO(physical_used_bytes);
static DEVICE_ATTR_RO(used_bound_bytes);
static DEVICE_ATTR_RO(pending_pages);
static DEVICE_ATTR_RO(stored_pages);
static DEVICE_ATTR_RO(admissions);
static DEVICE_ATTR_RO(admissions_refused);
static DEVICE_ATTR_RO(alarms);
static DEVICE_ATTR_RO(poisoned_pages);
static DEVICE_ATTR_RO(mapped_pages);

static ssize_t physical_bytes_store(struct device *dev,
				    struct device_attribute *attr,
				    const char *buf, size_t len)
{
	struct ccm_dev *cd = dev_get_drvdata(dev);
	u64 val;
	int rc;

	rc = kstrtou64(buf, 10, &val);
	if (rc)
		return rc;
	if (cd->engine != &ccm_model_engine)
		return -EOPNOTSUPP;
	guard(mutex)(&cd->attr_lock);
	rc = ccm_set_capacity(cd, val);
	return rc ? rc : len;
}
static DEVICE_ATTR_RW(physical_bytes);

static ssize_t compression_ratio_show(struct device *dev,
				      struct device_attribute *attr, char *buf)
{
	struct ccm_dev *cd = dev_get_drvdata(dev);
	unsigned int ratio;

	spin_lock(&cd->lock);
	ratio = __ccm_ratio(cd);
	spin_unlock(&cd->lock);
	return sysfs_emit(buf, "%u.%02u\n", ratio / 100, ratio % 100);
}
static DEVICE_ATTR_RO(compression_ratio);

static ssize_t pressure_show(struct device *dev,
			     struct device_attribute *attr, char *buf)
{
	struct ccm_dev *cd = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%s\n", ccm_level_str[READ_ONCE(cd->acct.level)]);
}
static DEVICE_ATTR_RO(pressure);

static ssize_t telemetry_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	struct ccm_dev *cd = dev_get_drvdata(dev);

	if (READ_ONCE(cd->acct.tele_failed))
		return sysfs_emit(buf, "failed\n");
	return sysfs_emit(buf, "%s\n", READ_ONCE(cd->acct.alarm) ?
			  "alarm" : "ok");
}

/* An operator who has dealt with an alarm clears it with "ok". */
static ssize_t telemetry_store(struct device *dev,
			       struct device_attribute *attr,
			       const char *buf, size_t len)
{
	struct ccm_dev *cd = dev_get_drvdata(dev);

	if (!sysfs_streq(buf, "ok"))
		return -EINVAL;
	flush_work(&cd->alarm_work);
	spin_lock(&cd->lock);
	if (cd->acct.alarm)
		dev_info(cd->dev, "alarm cleared by the operator\n");
	WRITE_ONCE(cd->acct.alarm, false);
	ccm_acct_update(&cd->acct);
	ccm_check_level(cd);
	spin_unlock(&cd->lock);
	return len;
}
static DEVICE_ATTR_RW(telemetry);

static ssize_t model_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	struct ccm_dev *cd = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%s\n", cd->engine == &ccm_model_engine ?
			  ccm_mode_str[cd->mode] : cd->engine->name);
}
static DEVICE_ATTR_RO(model);

static struct device_attribute dev_attr_watermark_low;
static struct device_attribute dev_attr_watermark_high;

static enum ccm_wm ccm_wm_of(struct device_attribute *attr)
{
	if (attr == &dev_attr_watermark_low)
		return CCM_WM_LOW;
	if (attr == &dev_attr_watermark_high)
		return CCM_WM_HIGH;
	return CCM_WM_CRIT;
}

static ssize_t scrub_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	struct ccm_dev *cd = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%s\n", READ_ONCE(cd->scrub_media) ?
			  "media" : "cpu");
}

static ssize_t scrub_store(struct device *dev, struct device_attribute *attr,
			   const char *buf, size_t len)
{
	struct ccm_dev *cd = dev_get_drvdata(dev);

	if (sysfs_streq(buf, "cpu")) {
		WRITE_ONCE(cd->scrub_media, false);
	} else if (sysfs_streq(buf, "media")) {
		if (!cd->mbox)
			return -EOPNOTSUPP;
		WRITE_ONCE(cd->scrub_media, true);
	} else {
		return -EINVAL;
	}
	return len;
}
static DEVICE_ATTR_RW(scrub);

static ssize_t ccm_wm_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	struct ccm_dev *cd = dev_get_drvdata(dev);
	u64 val;

	spin_lock(&cd->lock);
	val = cd->acct.wm[ccm_wm_of(attr)];
	spin_unlock(&cd->lock);
	return sysfs_emit(buf, "%llu\n", val);
}

static ssize_t ccm_wm_store(struct device *dev, struct device_attribute *attr,
			    const char *buf, size_t len)
{
	struct ccm_dev *cd = dev_get_drvdata(dev);
	u64 val;
	int rc;

	rc = kstrtou64(buf, 10, &val);
	if (rc)
		return rc;
	spin_lock(&cd->lock);
	rc = ccm_acct_set_wm(&cd->acct, ccm_wm_of(attr), val);
	ccm_check_level(cd);
	spin_unlock(&cd->lock);
	return rc ? rc : len;
}

static struct device_attribute dev_attr_watermark_low =
	__ATTR(watermark_low, 0644, ccm_wm_show, ccm_wm_store);
static struct device_attribute dev_attr_watermark_high =
	__ATTR(watermark_high, 0644, ccm_wm_show, ccm_wm_store);
static struct device_attribute dev_attr_watermark_critical =
	__ATTR(watermark_critical, 0644, ccm_wm_show, ccm_wm_store);

static struct attribute *ccm_attrs[] = {
	&dev_attr_logical_bytes.attr,
	&dev_attr_physical_bytes.attr,
	&dev_attr_physical_used_bytes.attr,
	&dev_attr_used_bound_bytes.attr,
	&dev_attr_pending_pages.attr,
	&dev_attr_stored_pages.attr,
	&dev_attr_compression_ratio.attr,
	&dev_attr_watermark_low.attr,
	&dev_attr_watermark_high.attr,
	&dev_attr_watermark_critical.attr,
	&dev_attr_pressure.attr,
	&dev_attr_admissions.attr,
	&dev_attr_admissions_refused.attr,
	&dev_attr_alarms.attr,
	&dev_attr_poisoned_pages.attr,
	&dev_attr_mapped_pages.attr,
	&dev_attr_telemetry.attr,
	&dev_attr_model.attr,
	&dev_attr_scrub.attr,
	&dev_attr_model_granule.attr,
	&dev_attr_model_ratio_percent.attr,
	&dev_attr_model_telemetry_ms.attr,
	NULL,
};

static const struct attribute_group ccm_group = {
	.name = "compressed",
	.attrs = ccm_attrs,
};
__ATTRIBUTE_GROUPS(ccm);

/*
 * The driver's own unbind: refuse while the device holds pages.  The
 * generic bind and unbind files are suppressed; the driver binds through
 * the dax bus's new_id.
 */
static ssize_t unbind_store(struct device_driver *drv, const char *buf,
			    size_t count)
{
	struct device *dev;
	struct ccm_dev *cd;
	int rc = 0;

	dev = bus_find_device_by_name(drv->bus, NULL, buf);
	if (!dev)
		return -ENODEV;
	device_lock(dev);
	cd = dev->driver == drv ? dev_get_drvdata(dev) : NULL;
	if (!cd) {
		rc = -ENODEV;
	} else {
		spin_lock(&cd->lock);
		if (cd->stored || cd->scrub_pending)
			rc = -EBUSY;
		else
			cd->closing = true;
		spin_unlock(&cd->lock);
	}
	device_unlock(dev);
	if (!rc)
		device_release_driver(dev);
	put_device(dev);
	return rc ? rc : count;
}
static DRIVER_ATTR_WO(unbind);

static struct attribute *ccm_drv_attrs[] = {
	&driver_attr_unbind.attr,
	NULL,
};
ATTRIBUTE_GROUPS(ccm_drv);

static int ccm_select_mode(struct device *dev, enum ccm_model_mode *mode)
{
	int i = sysfs_match_string(ccm_mode_str, model);

	if (i < 0) {
		dev_err(dev, "unknown model '%s': use none, lz4 or fixed\n",
			model);
		return -EINVAL;
	}
	if (i == CCM_MODEL_NONE) {
		dev_err(dev, "device reports no compression telemetry; boot with cxl_compressed.model=lz4 or fixed to emulate it\n");
		return -ENODEV;
	}
	*mode = i;
	return 0;
}

static int ccm_probe(struct dev_dax *dev_dax)
{
	struct device *dev = &dev_dax->dev;
	struct device *parent = dev_dax->region->dev;
	int nid = dev_dax->target_node;
	enum ccm_model_mode mode;
	struct ccm_event ev;
	struct ccm_dev *cd;
	struct range range;
	int rc;

	if (!parent || parent->bus != &cxl_bus_type ||
	    !strstarts(dev_name(parent), "dax_region")) {
		dev_err(dev, "not a CXL region\n");
		return -ENODEV;
	}
	rc = ccm_select_mode(dev, &mode);
	if (rc)
		return rc;
	if (nid < 0 || dev_dax->nr_range != 1) {
		dev_err(dev, "need one range on a valid node (node %d, %d ranges)\n",
			nid, dev_dax->nr_range);
		return -EINVAL;
	}
	range = memory_block_aligned_range(&dev_dax->ranges[0].range);
	if (range.start >= range.end) {
		dev_err(dev, "region smaller than a memory block\n");
		return -EINVAL;
	}

	guard(mutex)(&ccm_devs_lock);
	/* Made with the first device: a kernel without one has none. */
	if (!ccm_wq) {
		ccm_wq = alloc_workqueue("cxl_compressed",
					 WQ_MEM_RECLAIM | WQ_UNBOUND, 0);
		if (!ccm_wq)
			return -ENOMEM;
	}
	if (ccm_find(nid) || node_is_spm(nid) || node_state(nid, N_MEMORY)) {
		dev_err(dev, "node %d already has memory\n", nid);
		return -EBUSY;
	}
	rc = spm_node_claim(nid, &ccm_owner);
	if (rc) {
		dev_err(dev, "node %d has another owner\n", nid);
		return rc;
	}

	cd = kzalloc_obj(*cd);
	if (!cd) {
		spm_node_release(nid, &ccm_owner);
		return -ENOMEM;
	}
	cd->dev = dev;
	cd->nid = nid;
	cd->range = range;
	cd->mode = mode;
	cd->engine = &ccm_model_engine;
	spin_lock_init(&cd->lock);
	spin_lock_init(&cd->claim_lock);
	mutex_init(&cd->attr_lock);
	INIT_LIST_HEAD(&cd->scrub_list);
	INIT_LIST_HEAD(&cd->quarantine);
	INIT_LIST_HEAD(&cd->poisoned);
	INIT_WORK(&cd->scrub_work, ccm_scrub_work);
	INIT_WORK(&cd->notify_work, ccm_notify_work);
	INIT_WORK(&cd->alarm_work, ccm_alarm_work);
	cd->acct.forced = -1;
	ccm_acct_init(&cd->acct, round_down(range_len(&range) / 2, PAGE_SIZE));
	cd->ratio_seen = ccm_nominal_ratio(cd);
	cd->notified = cd->acct.level;

	rc = -ENOMEM;
	cd->written = kvcalloc(BITS_TO_LONGS(ccm_nr_pages(cd)), sizeof(long),
			       GFP_KERNEL);
	cd->lent = kvcalloc(BITS_TO_LONGS(ccm_nr_pages(cd)), sizeof(long),
			    GFP_KERNEL);
	cd->releasing = kvcalloc(BITS_TO_LONGS(ccm_nr_pages(cd)), sizeof(long),
				 GFP_KERNEL);
	cd->claimed = kvcalloc(BITS_TO_LONGS(ccm_nr_pages(cd)), sizeof(long),
			       GFP_KERNEL);
	cd->res_name = kstrdup(dev_name(dev), GFP_KERNEL);
	if (!cd->written || !cd->lent || !cd->releasing || !cd->claimed ||
	    !cd->res_name)
		goto err_free;

	cd->res = request_mem_region(range.start, range_len(&range),
				     cd->res_name);
	if (!cd->res) {
		dev_err(dev, "%#llx-%#llx is busy\n", range.start, range.end);
		rc = -EBUSY;
		goto err_free;
	}
	/* add_memory() adds System RAM as a child of this resource. */
	cd->res->flags = IORESOURCE_SYSTEM_RAM;

	rc = memory_group_register_static(nid, PFN_UP(range_len(&range)));
	if (rc < 0)
		goto err_res;
	cd->mgid = rc;

	rc = cd->engine->start(cd);
	if (rc)
		goto err_group;

	rc = __add_memory_driver_managed(cd->mgid, range.start,
					 range_len(&range), ccm_res_name,
					 MHP_NID_IS_MGID | MHP_SPM_NODE,
					 MMOP_ONLINE);
	if (rc) {
		dev_err(dev, "adding %#llx-%#llx failed: %d\n", range.start,
			range.end, rc);
		goto err_engine;
	}

	cd->scrub_media = !ccm_media_probe(cd, parent);
	get_device(dev);
	dev_set_drvdata(dev, cd);
	list_add_tail_rcu(&cd->list, &ccm_devs);
	ccm_debugfs_init(cd);
	ev.nid = nid;
	ev.level = cd->acct.level;
	blocking_notifier_call_chain(&ccm_chain, CCM_EVENT_ADD, &ev);
	dev_info(dev, "node %d: %llu MiB advertised, %llu MiB physical (%s), scrub by %s\n",
		 nid, range_len(&range) >> 20, cd->acct.capacity >> 20,
		 ccm_mode_str[mode], cd->scrub_media ? "media operations" : "CPU");
	return 0;

err_engine:
	cd->engine->stop(cd);
	cancel_work_sync(&cd->alarm_work);
err_group:
	memory_group_unregister(cd->mgid);
err_res:
	remove_resource(cd->res);
	kfree(cd->res);
err_free:
	kfree(cd->res_name);
	kvfree(cd->written);
	kvfree(cd->lent);
	kvfree(cd->releasing);
	kvfree(cd->claimed);
	kfree(cd);
	spm_node_release(nid, &ccm_owner);
	return rc;
}

/*
 * The device is going and nothing allocates from its node: its poisoned
 * pages may go back to the page allocator, which keeps those that memory
 * failure handling marked HWPoison, so that offlining can remove them.
 */
static void ccm_release_poisoned(struct ccm_dev *cd)
{
	struct folio *folio, *next;

	list_for_each_entry_safe(folio, next, &cd->poisoned, lru) {
		list_del(&folio->lru);
		ccm_release(cd, folio);
	}
	cd->nr_poisoned = 0;
}

static void ccm_remove(struct dev_dax *dev_dax)
{
	struct ccm_dev *cd = dev_get_drvdata(&dev_dax->dev);
	struct ccm_event ev = { .nid = cd->nid };
	u64 held;

	spin_lock(&cd->lock);
	cd->closing = true;
	ev.level = cd->acct.level;
	spin_unlock(&cd->lock);

	/* Consumers move their pages off the device before it goes. */
	ccm_debugfs_exit(cd);
	blocking_notifier_call_chain(&ccm_chain, CCM_EVENT_REMOVE, &ev);
	flush_work(&cd->scrub_work);

	/*
	 * Pages lent to be mapped are the mm's: offlining migrates them.  One
	 * a consumer claimed (stored again, and still in the swap cache after
	 * the consumer gave up moving it) would come back to it mid-offline,
	 * unmovable: keep the memory then.
	 */
	spin_lock(&cd->lock);
	held = cd->stored + cd->scrub_pending - atomic_long_read(&cd->nr_lent) +
	       atomic_long_read(&cd->nr_claimed);
	spin_unlock(&cd->lock);
	if (held) {
		/*
		 * Freeing the memory would hand out pages still in use.  Keep
		 * it, and this structure (with a reference on the device),
		 * until reboot; the mailbox may go away: scrub by CPU.
		 */
		dev_err(cd->dev, "%llu pages still in use: memory stays online until reboot\n",
			held);
		WRITE_ONCE(cd->scrub_media, false);
		flush_work(&cd->scrub_work);
		cd->mbox = NULL;
		return;
	}

	/*
	 * Offlining migrates the mapped pages to DRAM; the device stays
	 * listed meanwhile, for ccm_page_freed() to scrub what they leave.
	 */
	ccm_release_poisoned(cd);
	if (offline_and_remove_memory(cd->range.start, range_len(&cd->range))) {
		dev_err(cd->dev, "%#llx-%#llx stays online until reboot\n",
			cd->range.start, cd->range.end);
		return;
	}
	flush_work(&cd->scrub_work);

	mutex_lock(&ccm_devs_lock);
	list_del_rcu(&cd->list);
	mutex_unlock(&ccm_devs_lock);
	synchronize_rcu();

	cd->engine->stop(cd);
	cancel_work_sync(&cd->alarm_work);
	cancel_work_sync(&cd->notify_work);
	memory_group_unregister(cd->mgid);
	spm_node_release(cd->nid, &ccm_owner);
	remove_resource(cd->res);
	kfree(cd->res);
	kfree(cd->res_name);
	kvfree(cd->written);
	kvfree(cd->lent);
	kvfree(cd->releasing);
	kvfree(cd->claimed);
	dev_set_drvdata(&dev_dax->dev, NULL);
	put_device(cd->dev);
	kfree(cd);
}

/*
 * A node with a compressed device holds that device's memory only: refuse
 * to online any other memory there, which the device's admission control
 * would otherwise hand out as its own.
 */
static int ccm_memory_notify(struct notifier_block *nb, unsigned long action,
			     void *arg)
{
	struct memory_notify *mn = arg;
	struct range r = {
		.start = PFN_PHYS(mn->start_pfn),
		.end = PFN_PHYS(mn->start_pfn + mn->nr_pages) - 1,
	};
	int nid = pfn_to_nid(mn->start_pfn);
	int ret = NOTIFY_OK;
	struct ccm_dev *cd;

	if (action != MEM_GOING_ONLINE)
		return NOTIFY_OK;
	rcu_read_lock();
	cd = ccm_find(nid);
	if (cd && !range_contains(&cd->range, &r)) {
		dev_err_ratelimited(cd->dev, "refusing to online %#llx-%#llx: node %d holds only this compressed device\n",
				    r.start, r.end, nid);
		ret = NOTIFY_BAD;
	}
	rcu_read_unlock();
	return ret;
}

static struct notifier_block ccm_memory_nb = {
	.notifier_call = ccm_memory_notify,
};

static struct dax_device_driver ccm_driver = {
	.probe = ccm_probe,
	.remove = ccm_remove,
	.type = DAXDRV_ID_ONLY_TYPE,
	.drv = {
		.dev_groups = ccm_groups,
		.groups = ccm_drv_groups,
		.suppress_bind_attrs = true,
	},
};

static int __init ccm_init(void)
{
	int rc;

	/* The tracepoints print these by value. */
	BUILD_BUG_ON(CCM_PRESSURE_CRITICAL != 3 || CCM_REFUSE_TELEMETRY != 1 ||
		     CCM_REFUSE_NOMEM != 4 || CCM_REFUSE_RATIO != 5);
	ccm_debugfs_root_init();
	rc = register_memory_notifier(&ccm_memory_nb);
	if (rc)
		goto err;
	rc = dax_driver_register(&ccm_driver);
	if (!rc)
		return 0;
	unregister_memory_notifier(&ccm_memory_nb);
err:
	ccm_debugfs_root_exit();
	return rc;
}
module_init(ccm_init);

static void __exit ccm_exit(void)
{
	dax_driver_unregister(&ccm_driver);
	unregister_memory_notifier(&ccm_memory_nb);
	ccm_debugfs_root_exit();
	if (ccm_wq)
		destroy_workqueue(ccm_wq);
}
module_exit(ccm_exit);

MODULE_DESCRIPTION("Compressed CXL memory expanders as SPM nodes");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS("CXL");
