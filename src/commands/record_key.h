// Moved to engine/record_key.h with the fold modes; lat.cpp still includes it
// from here.
#pragma once

#include "engine/record_key.h"

namespace ksurf::commands {

using engine::append_common_key;

} // namespace ksurf::commands
