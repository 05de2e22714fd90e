// SPDX-License-Identifier: GPL-2.0
/*
 * Scrub freed pages on the device itself: CXL Media Operations (opcode
 * 4402h), class Sanitize, subclass Zero, over the pages' DPA ranges.  The
 * device then releases their physical space without the CPU writing a byte.
 * Only regions that map one device without interleaving are supported; the
 * others are scrubbed by the CPU.
 */
#include <linux/libnvdimm.h>
#include <linux/list_sort.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <cxl/mailbox.h>
#include "../cxlmem.h"
#include "../cxl.h"
#include "ccm.h"

#define CXL_MBOX_OP_MEDIA_OPERATIONS	0x4402
#define CCM_MEDIA_GENERAL		0
#define CCM_MEDIA_DISCOVERY		0
#define CCM_MEDIA_SANITIZE		1
#define CCM_MEDIA_ZERO			1
/* Operations listed in a discovery, at most. */
#define CCM_MEDIA_DISCOVER_MAX		16
/* Background operation polling: up to 30 s. */
#define CCM_MEDIA_POLL_MS		1000
#define CCM_MEDIA_POLLS			30
/* Ranges in one command at most, whatever the payload allows. */
#define CCM_MEDIA_RANGES_MAX		256

struct ccm_media_hdr {
	u8 class;
	u8 subclass;
	u8 rsvd[2];
	__le32 nr_ranges;
} __packed;

struct ccm_media_discovery_in {
	struct ccm_media_hdr hdr;
	__le16 start;
	__le16 count;
} __packed;

struct ccm_media_discovery_out {
	__le64 granularity;
	__le16 total;
	__le16 returned;
	struct {
		u8 class;
		u8 subclass;
	} __packed ops[];
} __packed;

struct ccm_media_range {
	__le64 start;
	__le64 len;
} __packed;

struct ccm_media_zero_in {
	struct ccm_media_hdr hdr;
	struct ccm_media_range range[];
} __packed;

static int ccm_media_discover(struct cxl_mailbox *mbox, u16 start, u16 count,
			      struct ccm_media_discovery_out *out, size_t size)
{
	struct ccm_media_discovery_in in = {
		.hdr.class = CCM_MEDIA_GENERAL,
		.hdr.subclass = CCM_MEDIA_DISCOVERY,
		.start = cpu_to_le16(start),
		.count = cpu_to_le16(count),
	};
	struct cxl_mbox_cmd cmd = {
		.opcode = CXL_MBOX_OP_MEDIA_OPERATIONS,
		.payload_in = &in,
		.size_in = sizeof(in),
		.payload_out = out,
		.size_out = size,
		.min_out = sizeof(*out),
	};

	return cxl_internal_send_cmd(mbox, &cmd);
}

/**
 * ccm_media_probe - find out whether a region's device can zero ranges
 * @cd: the device
 * @region_dev: the CXL dax region device of @cd
 *
 * Return: 0 if Media Operations Zero can scrub @cd's pages; -EOPNOTSUPP if
 * the region interleaves, or the device does not offer it.
 */
int ccm_media_probe(struct ccm_dev *cd, struct device *region_dev)
{
	struct cxl_dax_region *cxlr_dax = to_cxl_dax_region(region_dev);
	struct cxl_region_params *p = &cxlr_dax->cxlr->params;
	struct ccm_media_discovery_out *out;
	struct cxl_endpoint_decoder *cxled;
	struct cxl_mailbox *mbox;
	int i, n, total, rc;
	size_t size;
	u64 gran;

	/* The CPU must be able to drop its cache lines of a zeroed range. */
	if (!IS_ENABLED(CONFIG_ARCH_HAS_PMEM_API))
		return -EOPNOTSUPP;
	/* The region is committed and bound while its dax device is. */
	if (p->interleave_ways != 1 || p->nr_targets != 1 || !p->res)
		return -EOPNOTSUPP;
	cxled = p->targets[0];
	if (!cxled || !cxled->dpa_res)
		return -EOPNOTSUPP;
	mbox = &cxled_to_memdev(cxled)->cxlds->cxl_mbox;
	if (mbox->payload_size < sizeof(struct ccm_media_zero_in) +
				 sizeof(struct ccm_media_range))
		return -EOPNOTSUPP;

	size = struct_size(out, ops, CCM_MEDIA_DISCOVER_MAX);
	out = kzalloc(size, GFP_KERNEL);
	if (!out)
		return -ENOMEM;
	/* Ask how many operations there are, then for exactly those. */
	rc = ccm_media_discover(mbox, 0, 1, out, struct_size(out, ops, 1));
	total = min_t(int, le16_to_cpu(out->total), CCM_MEDIA_DISCOVER_MAX);
	if (!rc && total > 1)
		rc = ccm_media_discover(mbox, 0, total, out, size);
	if (rc) {
		kfree(out);
		return -EOPNOTSUPP;
	}
	gran = le64_to_cpu(out->granularity);
	n = min_t(int, le16_to_cpu(out->returned), total);
	rc = -EOPNOTSUPP;
	for (i = 0; i < n; i++)
		if (out->ops[i].class == CCM_MEDIA_SANITIZE &&
		    out->ops[i].subclass == CCM_MEDIA_ZERO)
			rc = 0;
	kfree(out);
	if (rc || (gran && (gran > PAGE_SIZE || PAGE_SIZE % gran)))
		return -EOPNOTSUPP;

	cd->mbox = mbox;
	cd->dpa_base = cxled->dpa_res->start;
	cd->hpa_base = p->res->start;
	cd->media_ranges = min_t(size_t, CCM_MEDIA_RANGES_MAX,
				 (mbox->payload_size -
				  sizeof(struct ccm_media_zero_in)) /
				 sizeof(struct ccm_media_range));
	return 0;
}

static int ccm_media_send(struct ccm_dev *cd, struct ccm_media_zero_in *in,
			  unsigned int n)
{
	struct cxl_mbox_cmd cmd = {
		.opcode = CXL_MBOX_OP_MEDIA_OPERATIONS,
		.payload_in = in,
		.size_in = struct_size(in, range, n),
		/* A background operation; emulated ones take seconds. */
		.poll_interval_ms = CCM_MEDIA_POLL_MS,
		.poll_count = CCM_MEDIA_POLLS,
	};

	in->hdr.class = CCM_MEDIA_SANITIZE;
	in->hdr.subclass = CCM_MEDIA_ZERO;
	in->hdr.nr_ranges = cpu_to_le32(n);
	return cxl_internal_send_cmd(cd->mbox, &cmd);
}

static int ccm_pfn_cmp(void *priv, const struct list_head *a,
		       const struct list_head *b)
{
	unsigned long pa = folio_pfn(list_entry(a, struct folio, lru));
	unsigned long pb = folio_pfn(list_entry(b, struct folio, lru));

	return pa > pb;
}

/**
 * ccm_media_zero - zero a list of freed folios on the device
 * @cd: the device
 * @list: the folios, linked by lru
 *
 * The list is sorted by address and adjacent pages are merged into one
 * range, so that few commands cover many pages.  The CPU's cache lines of the
 * pages are dropped before, so that none is written back over the zeroes,
 * and after, so that none read meanwhile outlives them.
 *
 * Return: 0, or the mailbox error.  After -ETIMEDOUT the device may still
 * be zeroing the pages; after another error it did not start.
 */
int ccm_media_zero(struct ccm_dev *cd, struct list_head *list)
{
	struct ccm_media_zero_in *in;
	unsigned int n = 0;
	struct folio *folio;
	u64 dpa, end = 0;
	int rc = 0;

	in = kzalloc(struct_size(in, range, cd->media_ranges), GFP_KERNEL);
	if (!in)
		return -ENOMEM;
	list_sort(NULL, list, ccm_pfn_cmp);
	list_for_each_entry(folio, list, lru) {
		arch_invalidate_pmem(folio_address(folio), PAGE_SIZE);
		dpa = cd->dpa_base + PFN_PHYS(folio_pfn(folio)) - cd->hpa_base;
		if (n && dpa == end) {
			le64_add_cpu(&in->range[n - 1].len, PAGE_SIZE);
		} else {
			if (n == cd->media_ranges) {
				rc = ccm_media_send(cd, in, n);
				if (rc)
					break;
				n = 0;
			}
			in->range[n].start = cpu_to_le64(dpa);
			in->range[n].len = cpu_to_le64(PAGE_SIZE);
			n++;
		}
		end = dpa + PAGE_SIZE;
	}
	if (!rc && n)
		rc = ccm_media_send(cd, in, n);
	kfree(in);
	if (!rc)
		list_for_each_entry(folio, list, lru) {
			arch_invalidate_pmem(folio_address(folio), PAGE_SIZE);
			ccm_synced(cd, folio);
		}
	return rc;
}
