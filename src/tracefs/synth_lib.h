/* libtracefs's synthetic events, called from C (synth_lib.c): the 1.6
 * header is C only (an inline function passes an int for an enum, which C++
 * refuses), so ksurf's C++ reaches it through these few functions. */
#pragma once

#ifdef __cplusplus
extern "C" {
#endif

struct tep_handle;
struct tracefs_synth;

/* synthetic/NAME with one field `lat`: the time from SYSTEM/START to
 * SYSTEM/END of the same task (common_pid), in microseconds (usecs) or
 * nanoseconds, traced by the end's onmatch(). Described, not created yet;
 * NULL with errno set when tep lacks an event or field. */
struct tracefs_synth *ksurf_synth_latency(struct tep_handle *tep, const char *name,
                                          const char *system, const char *start, const char *end,
                                          int usecs);
/* One step of a filter for tracefs_synth_append_start_filter, in ksurf's
 * own names for libtracefs's enum tracefs_filter and enum tracefs_compare
 * (mapped in synth_lib.c). field and val are for KSURF_FILTER_COMPARE. */
enum ksurf_filter_type {
    KSURF_FILTER_COMPARE,
    KSURF_FILTER_AND,
    KSURF_FILTER_OR,
    KSURF_FILTER_NOT,
    KSURF_FILTER_OPEN_PAREN,
    KSURF_FILTER_CLOSE_PAREN,
};
enum ksurf_compare {
    KSURF_COMPARE_EQ,
    KSURF_COMPARE_NE,
    KSURF_COMPARE_GT,
    KSURF_COMPARE_GE,
    KSURF_COMPARE_LT,
    KSURF_COMPARE_LE,
    KSURF_COMPARE_RE,
    KSURF_COMPARE_AND,
};
struct ksurf_filter_step {
    enum ksurf_filter_type type;
    const char *field;
    enum ksurf_compare compare;
    const char *val;
};
/* Gates the start (entry) histogram: only entries the filter matches save
 * their timestamp, so only they are timed. 0, or -1 with errno set (EINVAL:
 * libtracefs refused a step, ENODEV: no such field). */
int ksurf_synth_start_filter(struct tracefs_synth *synth, const struct ksurf_filter_step *steps,
                             unsigned long n);
/* tracefs_synth_create / _destroy / _free. */
int ksurf_synth_create(struct tracefs_synth *synth);
int ksurf_synth_destroy(struct tracefs_synth *synth);
void ksurf_synth_free(struct tracefs_synth *synth);

#ifdef __cplusplus
}
#endif
