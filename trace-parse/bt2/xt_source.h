/* source.xentrace.reader: a babeltrace2 source component class that reads xentrace files.
 *
 * One output port per input file, one stream per pCPU, one event message per xentrace record,
 * one event class per (event id, payload layout), a clock class at the timer rate. Every event
 * carries, in its common context, what the round trip back to struct xt_record needs (event id,
 * pCPU, timestamp in ticks, byte offset, merge rank): see docs/babeltrace2.md.
 *
 * The plugin (plugin.c) registers these methods with the BT_PLUGIN_* macros; tests build the
 * same class with xts_component_class_create() and add it to their own graph. */
#ifndef SMCLAT_BT2_XT_SOURCE_H
#define SMCLAT_BT2_XT_SOURCE_H

#include <babeltrace2/babeltrace.h>

#define XTS_PLUGIN_NAME "xentrace"
#define XTS_CLASS_NAME  "reader"
#define XTS_DESCRIPTION                                                                            \
    "Read xentrace binary traces (Xen's scheduler events) as babeltrace2 messages."
#define XTS_HELP                                                                                   \
    "Parameters:\n"                                                                                \
    "  inputs    array of paths to xentrace files (one output port per file)\n"                    \
    "  cpu-hz    timer rate in Hz (on arm64: CNTFRQ, 62500000 under QEMU)\n"                       \
    "  metadata  path to an smclat metadata.json (physinfo.cpu_khz gives the rate)\n"              \
    "Without cpu-hz and metadata, metadata.json beside the first input is used.\n"                 \
    "See docs/babeltrace2.md in smclat."

/* Names of the event common context members, in order (the CTF reader looks them up by name). */
#define XTS_CTX_ID      "id"
#define XTS_CTX_CPU     "cpu"
#define XTS_CTX_TSC     "tsc"
#define XTS_CTX_HAS_TSC "has_tsc"
#define XTS_CTX_OFFSET  "offset"
#define XTS_CTX_SEQ     "seq"
/* Payload member holding the raw payload words (always the last member). */
#define XTS_DATA "data"
/* Trace environment entries (besides "smclat_source" = "xentrace"). */
#define XTS_ENV_SOURCE "smclat_source"

bt_component_class_initialize_method_status xts_init(bt_self_component_source *self,
                                                     bt_self_component_source_configuration *config,
                                                     const bt_value *params, void *init_data);
void xts_finalize(bt_self_component_source *self);
bt_message_iterator_class_initialize_method_status
xts_iter_init(bt_self_message_iterator *self, bt_self_message_iterator_configuration *config,
              bt_self_component_port_output *port);
void xts_iter_finalize(bt_self_message_iterator *self);
bt_message_iterator_class_next_method_status xts_iter_next(bt_self_message_iterator *self,
                                                           bt_message_array_const msgs,
                                                           uint64_t capacity, uint64_t *count);
bt_component_class_query_method_status xts_query(bt_self_component_class_source *cls,
                                                 bt_private_query_executor *qe, const char *object,
                                                 const bt_value *params, void *data,
                                                 const bt_value **result);

/* The same component class, built at run time (for programs that do not load the plugin).
 * Returns a new reference, or NULL when out of memory. */
bt_component_class_source *xts_component_class_create(void);

#endif
