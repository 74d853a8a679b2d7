#!/bin/sh
# Usage: check_linkage.sh KSURF_BINARY
# Fails unless ldd lists libtracefs and libtraceevent for the binary and
# `nm -D --undefined-only` lists every libtracefs/libtraceevent function the
# kernel layer is built on.
bin=$1
for tool in ldd nm; do
    command -v $tool >/dev/null 2>&1 || { echo "SKIP: $tool is not installed"; exit 77; }
done
[ -x "$bin" ] || { echo "FAIL: no binary at $bin"; exit 1; }
status=0
libs=$(ldd "$bin") || { echo "FAIL: ldd $bin failed"; exit 1; }
for lib in libtracefs libtraceevent; do
    if echo "$libs" | grep -q "$lib\.so"; then
        echo "ok: ldd lists $lib"
    else
        echo "FAIL: ldd does not list $lib"
        status=1
    fi
done
undef=$(nm -D --undefined-only "$bin") || { echo "FAIL: nm -D $bin failed"; exit 1; }
# Instances, dynamic events of each kind, event files, error_log, event
# formats (libtraceevent) and the per-CPU reader's alternative.
for fn in tracefs_instance_create tracefs_instance_destroy tracefs_instance_free \
    tracefs_instances tracefs_instance_file_write tracefs_instance_file_append \
    tracefs_kprobe_alloc tracefs_kretprobe_alloc tracefs_uprobe_alloc tracefs_uretprobe_alloc \
    tracefs_eprobe_alloc tracefs_dynevent_create tracefs_dynevent_destroy \
    tracefs_dynevent_get_all tracefs_dynevent_get \
    tracefs_event_file_write tracefs_event_file_append tracefs_event_disable \
    tracefs_event_systems tracefs_system_events tracefs_error_all \
    tracefs_cpu_alloc_fd tracefs_cpu_read \
    tep_parse_format tep_find_event_by_name; do
    if echo "$undef" | grep -qw "$fn"; then
        echo "ok: ksurf calls $fn"
    else
        echo "FAIL: ksurf does not call $fn (nm -D --undefined-only)"
        status=1
    fi
done
exit $status
