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

int ksurf_synth_create(struct tracefs_synth *synth) {
    return tracefs_synth_create(synth);
}

int ksurf_synth_destroy(struct tracefs_synth *synth) {
    return tracefs_synth_destroy(synth);
}

void ksurf_synth_free(struct tracefs_synth *synth) {
    tracefs_synth_free(synth);
}
