// The run engine's names as the commands knew them before it moved to
// src/engine/ (engine/engine.h): the fold modes still written here (lat.cpp)
// keep compiling unchanged while their move is pending.
#pragma once

#include "engine/engine.h"

namespace ksurf::commands {

using engine::ArmedEvent;
using engine::Handler;
using engine::HandlerFactory;
using engine::run_plan;
using engine::RunOptions;
using engine::threads_of;

} // namespace ksurf::commands
