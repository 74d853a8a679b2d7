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
/* tracefs_synth_create / _destroy / _free. */
int ksurf_synth_create(struct tracefs_synth *synth);
int ksurf_synth_destroy(struct tracefs_synth *synth);
void ksurf_synth_free(struct tracefs_synth *synth);

#ifdef __cplusplus
}
#endif
