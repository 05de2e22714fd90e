/* SPDX-License-Identifier: GPL-2.0 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM cxl_compressed

#if !defined(_CXL_COMPRESSED_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _CXL_COMPRESSED_TRACE_H

#include <linux/device.h>
#include <linux/tracepoint.h>

TRACE_EVENT(cxl_compressed_pressure,
	    TP_PROTO(struct device *dev, int old, int new, u64 bound,
		     u64 capacity),
	    TP_ARGS(dev, old, new, bound, capacity),
	    TP_STRUCT__entry(__string(dev, dev_name(dev))
			     __field(int, old)
			     __field(int, new)
			     __field(u64, bound)
			     __field(u64, capacity)),
	    TP_fast_assign(__assign_str(dev);
			   __entry->old = old;
			   __entry->new = new;
			   __entry->bound = bound;
			   __entry->capacity = capacity;),
	    TP_printk("%s: pressure %s -> %s, used bound %llu of %llu bytes",
		      __get_str(dev),
		      __print_symbolic(__entry->old, { 0, "none" },
				       { 1, "low" }, { 2, "high" },
				       { 3, "critical" }),
		      __print_symbolic(__entry->new, { 0, "none" },
				       { 1, "low" }, { 2, "high" },
				       { 3, "critical" }),
		      __entry->bound, __entry->capacity)
);

TRACE_EVENT(cxl_compressed_refuse,
	    TP_PROTO(struct device *dev, int reason, u64 bound),
	    TP_ARGS(dev, reason, bound),
	    TP_STRUCT__entry(__string(dev, dev_name(dev))
			     __field(int, reason)
			     __field(u64, bound)),
	    TP_fast_assign(__assign_str(dev);
			   __entry->reason = reason;
			   __entry->bound = bound;),
	    TP_printk("%s: refused (%s), used bound %llu bytes",
		      __get_str(dev),
		      __print_symbolic(__entry->reason, { 1, "telemetry" },
				       { 2, "pressure" }, { 3, "capacity" },
				       { 4, "nomem" }, { 5, "ratio" }),
		      __entry->bound)
);

TRACE_EVENT(cxl_compressed_alarm,
	    TP_PROTO(struct device *dev, u64 used, u64 watermark),
	    TP_ARGS(dev, used, watermark),
	    TP_STRUCT__entry(__string(dev, dev_name(dev))
			     __field(u64, used)
			     __field(u64, watermark)),
	    TP_fast_assign(__assign_str(dev);
			   __entry->used = used;
			   __entry->watermark = watermark;),
	    TP_printk("%s: device alarm, used %llu bytes above %llu",
		      __get_str(dev), __entry->used, __entry->watermark)
);

#endif /* _CXL_COMPRESSED_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
