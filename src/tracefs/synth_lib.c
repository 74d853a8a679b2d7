/* See synth_lib.h. */
#include "tracefs/synth_lib.h"

#include <tracefs.h>

struct tracefs_synth *ksurf_synth_latency(struct tep_handle *tep, const char *name,
                                          const char *system, const char *start, const char *end,
                                          int usecs) {
    /* No match name: the synthetic event's own common_pid is the task. */
    struct tracefs_synth *s = tracefs_synth_alloc(tep, name, system, start, system, end,
                                                  "common_pid", "common_pid", NULL);
    const char *ts = usecs ? TRACEFS_TIMESTAMP_USECS : TRACEFS_TIMESTAMP;
    if (!s) return NULL;
    if (tracefs_synth_add_compare_field(s, ts, ts, TRACEFS_SYNTH_DELTA_END, "lat") < 0 ||
        tracefs_synth_trace(s, TRACEFS_SYNTH_HANDLE_MATCH, NULL) < 0) {
        tracefs_synth_free(s);
        return NULL;
    }
    return s;
}

static enum tracefs_filter filter_type(enum ksurf_filter_type t) {
    switch (t) {
    case KSURF_FILTER_AND:
        return TRACEFS_FILTER_AND;
    case KSURF_FILTER_OR:
        return TRACEFS_FILTER_OR;
    case KSURF_FILTER_NOT:
        return TRACEFS_FILTER_NOT;
    case KSURF_FILTER_OPEN_PAREN:
        return TRACEFS_FILTER_OPEN_PAREN;
    case KSURF_FILTER_CLOSE_PAREN:
        return TRACEFS_FILTER_CLOSE_PAREN;
    case KSURF_FILTER_COMPARE:
        break;
    }
    return TRACEFS_FILTER_COMPARE;
}

static enum tracefs_compare compare_op(enum ksurf_compare c) {
    switch (c) {
    case KSURF_COMPARE_NE:
        return TRACEFS_COMPARE_NE;
    case KSURF_COMPARE_GT:
        return TRACEFS_COMPARE_GT;
    case KSURF_COMPARE_GE:
        return TRACEFS_COMPARE_GE;
    case KSURF_COMPARE_LT:
        return TRACEFS_COMPARE_LT;
    case KSURF_COMPARE_LE:
        return TRACEFS_COMPARE_LE;
    case KSURF_COMPARE_RE:
        return TRACEFS_COMPARE_RE;
    case KSURF_COMPARE_AND:
        return TRACEFS_COMPARE_AND;
    case KSURF_COMPARE_EQ:
        break;
    }
    return TRACEFS_COMPARE_EQ;
}

int ksurf_synth_start_filter(struct tracefs_synth *synth, const struct ksurf_filter_step *steps,
                             unsigned long n) {
    for (unsigned long i = 0; i < n; i++)
        if (tracefs_synth_append_start_filter(synth, filter_type(steps[i].type), steps[i].field,
                                              compare_op(steps[i].compare), steps[i].val) < 0)
            return -1;
    return 0;
}

int ksurf_synth_create(struct tracefs_synth *synth) {
    return tracefs_synth_create(synth);
}

int ksurf_synth_destroy(struct tracefs_synth *synth) {
    return tracefs_synth_destroy(synth);
}

void ksurf_synth_free(struct tracefs_synth *synth) {
    tracefs_synth_free(synth);
}
