/* SPDX-License-Identifier: GPL-2.0 */
/* Internal interfaces of the compressed CXL memory driver. */
#ifndef __CXL_COMPRESSED_CCM_H__
#define __CXL_COMPRESSED_CCM_H__

#include <linux/cxl_compressed.h>
#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/list.h>
#include <linux/llist.h>
#include <linux/mutex.h>
#include <linux/range.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

/* The ratio reported when nothing is known, and its ceiling. */
#define CCM_RATIO_MIN		100
#define CCM_RATIO_MAX		6400

/* Default watermarks, in percent of physical capacity. */
#define CCM_WM_LOW_PCT		70
#define CCM_WM_HIGH_PCT		85
#define CCM_WM_CRIT_PCT		95
/* Hysteresis, in percent of physical capacity. */
#define CCM_HYST_PCT		2

enum ccm_wm {
	CCM_WM_LOW,
	CCM_WM_HIGH,
	CCM_WM_CRIT,
	CCM_NR_WM,
};

/* Why an admission was refused. */
enum ccm_refusal {
	CCM_ADMIT_OK,
	CCM_REFUSE_TELEMETRY,
	CCM_REFUSE_PRESSURE,
	CCM_REFUSE_CAPACITY,
	CCM_REFUSE_NOMEM,
	CCM_REFUSE_RATIO,
	CCM_NR_REFUSALS,
};

/**
 * struct ccm_acct - a device's physical capacity accounting
 * @capacity: physical capacity, bytes
 * @wm: low, high and critical watermarks, bytes
 * @hyst: hysteresis of the pressure level, bytes
 * @tele_used: physical usage in the last telemetry reading, bytes
 * @tele_accounted: pages written that the last reading includes
 * @admitted: pages admitted (monotonic)
 * @cancelled: admitted pages freed before the device accounted their write
 * @inject_used: bytes added to every reading (fault injection)
 * @forced: level forced by fault injection, or -1
 * @tele_failed: telemetry failed; nothing is known about usage
 * @alarm: the device raised its alarm: the tracking failed.  Held until a
 *	reading below the critical watermark, or an operator, clears it
 * @level: current pressure level
 *
 * Pure arithmetic, no locking: the caller serialises.  Physical usage is
 * only known from telemetry, which lags the writes.  Until the device has
 * accounted a page, the page counts as a full page: the bound
 * tele_used + (admitted - cancelled - tele_accounted) * PAGE_SIZE is never
 * below the device's real usage.
 */
struct ccm_acct {
	u64 capacity;
	u64 wm[CCM_NR_WM];
	u64 hyst;
	u64 tele_used;
	u64 tele_accounted;
	u64 admitted;
	u64 cancelled;
	u64 inject_used;
	int forced;
	bool tele_failed;
	bool alarm;
	enum ccm_pressure level;
};

void ccm_acct_init(struct ccm_acct *a, u64 capacity);
u64 ccm_acct_pending(const struct ccm_acct *a);
u64 ccm_acct_bound(const struct ccm_acct *a);
enum ccm_pressure ccm_acct_update(struct ccm_acct *a);
enum ccm_refusal ccm_acct_admit(struct ccm_acct *a, enum ccm_pressure stop);
void ccm_acct_cancel(struct ccm_acct *a);
void ccm_acct_telemetry(struct ccm_acct *a, u64 used, u64 accounted);
int ccm_acct_set_wm(struct ccm_acct *a, enum ccm_wm wm, u64 val);
unsigned int ccm_ratio(u64 stored_pages, u64 used_bytes);
unsigned int ccm_model_charge(unsigned int csize, unsigned int granule);

struct ccm_dev;
struct cxl_mailbox;

/**
 * struct ccm_engine - where a device's telemetry comes from
 * @name: shown in sysfs "model"
 * @start: begin producing telemetry (ccm_telemetry()) for @cd
 * @stop: stop it; no ccm_telemetry() call after this returns
 * @stored: a consumer wrote page @idx of the device
 * @scrubbed: page @idx was zeroed and is about to be freed; @written tells
 *	whether its consumer reported it stored.  Returns true if the device
 *	never accounted a write of it, so that its admission is cancelled
 * @settle: wait until every write and scrub so far is in telemetry
 * @synced: the device holds what the CPU last wrote to page @idx: its
 *	cache lines were written back, or the device zeroed it itself
 */
struct ccm_engine {
	const char *name;
	int (*start)(struct ccm_dev *cd);
	void (*stop)(struct ccm_dev *cd);
	void (*stored)(struct ccm_dev *cd, unsigned long idx);
	bool (*scrubbed)(struct ccm_dev *cd, unsigned long idx, bool written);
	void (*settle)(struct ccm_dev *cd);
	void (*synced)(struct ccm_dev *cd, unsigned long idx);
};

enum ccm_model_mode {
	CCM_MODEL_NONE,
	CCM_MODEL_LZ4,
	CCM_MODEL_FIXED,
};

struct ccm_model;

/**
 * struct ccm_dev - one compressed device (one dax device, one SPM node)
 * @list: on the list of bound devices (RCU)
 * @dev: the dax device
 * @nid: its node
 * @range: its memory, block aligned
 * @res: the resource requested for @range
 * @res_name: its name, kept until the resource is released
 * @mgid: its memory group
 * @lock: protects @acct, the counters and the scrub list; taken in process
 *	context only (the consumer interface is not for interrupts)
 * @acct: capacity accounting
 * @closing: the device admits nothing: it is being unbound
 * @written: per page, reported stored by its consumer
 * @lent: per page, lent by its consumer to be mapped into processes
 * @releasing: per page, being freed by the driver itself
 * @claimed: per page, lent and stored again by its consumer, which gets it
 *	back when the mm frees it (ccm_folio_restore())
 * @claim_lock: serialises that hand-over with the consumer giving the
 *	claim up; taken in any context but NMI
 * @nr_claimed: pages in @claimed
 * @poisoned_freed: lent pages with a memory error that were freed without
 *	memory_failure() counting them, for the scrub worker to count
 * @nr_lent: pages lent and not freed yet
 * @freed: lent pages whose last reference went, from spm page_freed()
 * @stored: pages held by consumers, lent ones and @freed included
 * @ratio_seen: average ratio, in percent, of the data the last telemetry
 *	reading includes, the nominal ratio while it includes none; see
 *	struct ccm_state
 * @refused: refusals, per reason
 * @alarms: device watermark alarms
 * @alarm_used: the usage reported with the last alarm, bytes
 * @alarm_work: applies alarms raised in interrupt context
 * @scrub_list: freed folios waiting to be zeroed
 * @quarantine: folios a failed Media Operations command may still zero;
 *	never freed
 * @poisoned: folios that failed a read; freed only at removal
 * @nr_poisoned: folios on @poisoned
 * @scrub_pending: folios on @scrub_list, being zeroed, or in @quarantine
 * @scrub_work: zeroes them
 * @notify_work: tells consumers and userspace about level changes
 * @notified: the level last announced
 * @engine: the telemetry source
 * @mode: the emulated engine's mode
 * @model: the emulated engine's state
 * @mbox: mailbox for Media Operations, or NULL if they cannot scrub
 * @dpa_base: device physical address of the region's start
 * @hpa_base: host physical address of the region's start
 * @media_ranges: DPA ranges per Media Operations command
 * @scrub_media: scrub with Media Operations rather than the CPU
 * @attr_lock: serialises writes of physical_bytes
 * @debugfs: this device's debugfs directory
 * @test: the debugfs test consumer's state
 */
struct ccm_dev {
	struct list_head list;
	struct device *dev;
	int nid;
	struct range range;
	struct resource *res;
	const char *res_name;
	int mgid;

	spinlock_t lock;		/* accounting, counters, scrub list */
	struct ccm_acct acct;
	bool closing;
	unsigned long *written;
	unsigned long *lent;
	unsigned long *releasing;
	unsigned long *claimed;
	spinlock_t claim_lock;		/* @claimed hand-over */
	atomic_long_t nr_claimed;
	atomic_long_t poisoned_freed;
	atomic_long_t nr_lent;
	struct llist_head freed;
	u64 stored;
	unsigned int ratio_seen;
	u64 refused[CCM_NR_REFUSALS];
	u64 alarms;
	u64 alarm_used;
	struct work_struct alarm_work;

	struct list_head scrub_list;
	struct list_head quarantine;
	struct list_head poisoned;
	u64 nr_poisoned;
	u64 scrub_pending;
	struct work_struct scrub_work;
	struct work_struct notify_work;
	enum ccm_pressure notified;

	const struct ccm_engine *engine;
	enum ccm_model_mode mode;
	struct ccm_model *model;

	struct cxl_mailbox *mbox;
	u64 dpa_base;
	u64 hpa_base;
	unsigned int media_ranges;
	bool scrub_media;

	struct mutex attr_lock;		/* physical_bytes writes */
	struct dentry *debugfs;
	void *test;
};

static inline unsigned long ccm_nr_pages(const struct ccm_dev *cd)
{
	return range_len(&cd->range) >> PAGE_SHIFT;
}

static inline unsigned long ccm_page_index(const struct ccm_dev *cd,
					   unsigned long pfn)
{
	return pfn - PHYS_PFN(cd->range.start);
}

void ccm_telemetry(struct ccm_dev *cd, u64 used, u64 accounted);
void ccm_telemetry_failed(struct ccm_dev *cd);
void ccm_alarm(struct ccm_dev *cd, u64 used);
void ccm_level_changed(struct ccm_dev *cd);
struct folio *ccm_dev_alloc(struct ccm_dev *cd, gfp_t gfp,
			    enum ccm_pressure stop, unsigned int min_ratio);
void ccm_settle(struct ccm_dev *cd);
int ccm_set_capacity(struct ccm_dev *cd, u64 capacity);
int ccm_idle_locked_call(struct ccm_dev *cd,
			 int (*fn)(struct ccm_dev *cd, unsigned long arg),
			 unsigned long arg);

extern const struct ccm_engine ccm_model_engine;
extern struct device_attribute dev_attr_model_granule;
extern struct device_attribute dev_attr_model_ratio_percent;
extern struct device_attribute dev_attr_model_telemetry_ms;
void ccm_model_fail(struct ccm_dev *cd, bool fail);
bool ccm_model_failing(struct ccm_dev *cd);
u64 ccm_model_used(struct ccm_dev *cd);
u64 ccm_model_poisoned(struct ccm_dev *cd);

void ccm_synced(struct ccm_dev *cd, struct folio *folio);
int ccm_media_probe(struct ccm_dev *cd, struct device *region_dev);
int ccm_media_zero(struct ccm_dev *cd, struct list_head *list);
extern struct workqueue_struct *ccm_wq;

void ccm_debugfs_root_init(void);
void ccm_debugfs_root_exit(void);
void ccm_debugfs_init(struct ccm_dev *cd);
void ccm_debugfs_exit(struct ccm_dev *cd);

#endif /* __CXL_COMPRESSED_CCM_H__ */
