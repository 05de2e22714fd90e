/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Consumer interface of compressed CXL memory expanders (cxl_compressed).
 *
 * A compressed expander advertises more capacity than it has; what it can
 * hold depends on the data written to it.  Its memory is an SPM node that
 * only this interface allocates from.  Every allocation passes admission
 * control, which keeps the device's physical usage below its capacity.
 */
#ifndef _LINUX_CXL_COMPRESSED_H
#define _LINUX_CXL_COMPRESSED_H

#include <linux/err.h>
#include <linux/gfp_types.h>
#include <linux/notifier.h>
#include <linux/types.h>

struct folio;

/**
 * enum ccm_pressure - how full a compressed device is
 * @CCM_PRESSURE_NONE: below the low watermark
 * @CCM_PRESSURE_LOW: at or above the low watermark
 * @CCM_PRESSURE_HIGH: at or above the high watermark; consumers should move
 *	data elsewhere
 * @CCM_PRESSURE_CRITICAL: at or above the critical watermark, or usage is
 *	unknown; the device admits nothing
 */
enum ccm_pressure {
	CCM_PRESSURE_NONE,
	CCM_PRESSURE_LOW,
	CCM_PRESSURE_HIGH,
	CCM_PRESSURE_CRITICAL,
};

/**
 * enum ccm_event_type - events on the consumer notifier chain
 * @CCM_EVENT_ADD: a device was bound; also sent, on registration, for each
 *	device bound before
 * @CCM_EVENT_PRESSURE: a device's pressure level changed
 * @CCM_EVENT_REMOVE: a device is going away; consumers must free every page
 *	they hold on it before returning
 */
enum ccm_event_type {
	CCM_EVENT_ADD,
	CCM_EVENT_PRESSURE,
	CCM_EVENT_REMOVE,
};

/**
 * struct ccm_event - data passed with a notifier event
 * @nid: the device's node
 * @level: the device's pressure level now
 */
struct ccm_event {
	int nid;
	enum ccm_pressure level;
};

/**
 * struct ccm_state - a device's state, as ccm_folio_stored() reports it
 * @ratio_seen: average compression ratio, in percent, of the data the
 *	device's last telemetry reading includes, or the last such figure
 *	while it includes none.  Unlike the compression_ratio in sysfs,
 *	pages written since the reading do not count as full pages: this
 *	estimates what a page costs, it does not bound the usage.  Without
 *	a reading with data (a new or emptied device), the device's nominal
 *	ratio: the capacity it advertises over its physical capacity.
 * @level: the device's pressure level, as ccm_pressure() reports it
 */
struct ccm_state {
	unsigned int ratio_seen;
	enum ccm_pressure level;
};

#if IS_ENABLED(CONFIG_CXL_COMPRESSED)
struct folio *ccm_alloc_folio(int nid, gfp_t gfp, unsigned int min_ratio);
void ccm_folio_stored(struct folio *folio, struct ccm_state *state);
void ccm_free_folio(struct folio *folio);
void ccm_folio_lend(struct folio *folio);
int ccm_folio_restore(struct folio *folio, struct ccm_state *state);
bool ccm_folio_claimed(struct folio *folio);
bool ccm_folio_unclaim(struct folio *folio);
void ccm_quarantine_folio(struct folio *folio);
enum ccm_pressure ccm_pressure(int nid);
unsigned long ccm_lent_pages(int nid);
int ccm_register_notifier(struct notifier_block *nb);
#else
static inline struct folio *ccm_alloc_folio(int nid, gfp_t gfp,
					    unsigned int min_ratio)
{
	return ERR_PTR(-ENODEV);
}

static inline void ccm_folio_stored(struct folio *folio,
				    struct ccm_state *state)
{
	if (state) {
		state->ratio_seen = 100;
		state->level = CCM_PRESSURE_CRITICAL;
	}
}

static inline void ccm_free_folio(struct folio *folio)
{
}

static inline void ccm_folio_lend(struct folio *folio)
{
}

static inline int ccm_folio_restore(struct folio *folio,
				    struct ccm_state *state)
{
	return -EBUSY;
}

static inline bool ccm_folio_claimed(struct folio *folio)
{
	return false;
}

static inline bool ccm_folio_unclaim(struct folio *folio)
{
	return false;
}

static inline void ccm_quarantine_folio(struct folio *folio)
{
}

static inline enum ccm_pressure ccm_pressure(int nid)
{
	return CCM_PRESSURE_CRITICAL;
}

static inline unsigned long ccm_lent_pages(int nid)
{
	return 0;
}

static inline int ccm_register_notifier(struct notifier_block *nb)
{
	return 0;
}
#endif

#endif /* _LINUX_CXL_COMPRESSED_H */
