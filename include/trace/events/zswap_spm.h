/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pages of compressed memory devices mapped into processes by zswap
 * (mm/zswap_spm.c): mapped on a read fault, moved to DRAM by a write,
 * stored again without a copy.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM zswap_spm

#if !defined(_TRACE_ZSWAP_SPM_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TRACE_ZSWAP_SPM_H

#include <linux/mm_types.h>
#include <linux/tracepoint.h>

DECLARE_EVENT_CLASS(zswap_spm_page,
		    TP_PROTO(struct folio *folio),
		    TP_ARGS(folio),
		    TP_STRUCT__entry(__field(unsigned long, pfn)
				     __field(int, nid)),
		    TP_fast_assign(__entry->pfn = folio_pfn(folio);
				   __entry->nid = folio_nid(folio);),
		    TP_printk("pfn=0x%lx nid=%d", __entry->pfn, __entry->nid)
);

/* A read fault maps the device page of a zswap entry. */
DEFINE_EVENT(zswap_spm_page, zswap_spm_map,
	     TP_PROTO(struct folio *folio),
	     TP_ARGS(folio)
);

/* A write to a mapped device page copies it to DRAM. */
DEFINE_EVENT(zswap_spm_page, zswap_spm_cow,
	     TP_PROTO(struct folio *folio),
	     TP_ARGS(folio)
);

/* A mapped device page swapped out again is stored without a copy. */
DEFINE_EVENT(zswap_spm_page, zswap_spm_restore,
	     TP_PROTO(struct folio *folio),
	     TP_ARGS(folio)
);

#endif /* _TRACE_ZSWAP_SPM_H */

/* This part must be outside protection */
#include <trace/define_trace.h>
