// libtracefs' C header, made acceptable to C++. Include this, not <tracefs.h>.
#pragma once

struct tracefs_instance;
struct tracefs_hist;
// libtracefs 1.6's header passes a plain 0 as enum tracefs_hist_command in
// its inline tracefs_hist_start(), which C++ rejects: this overload takes
// the int and forwards it with the enum's type.
[[maybe_unused]] static inline int tracefs_hist_command(tracefs_instance *instance,
                                                        tracefs_hist *hist, int cmd);

extern "C" {
#include <tracefs.h> // pkg-config puts libtracefs' directory on the include path
}

[[maybe_unused]] static inline int tracefs_hist_command(tracefs_instance *instance,
                                                        tracefs_hist *hist, int cmd) {
    return tracefs_hist_command(instance, hist, static_cast<enum tracefs_hist_command>(cmd));
}
