// Exit statuses of ksurf: 0 done, 1 the system or kernel refused, 2 bad
// input, 74 the output could not be written (sysexits' EX_IOERR: far from the
// small statuses a traced command returns, which ksurf passes on otherwise).
#pragma once

namespace ksurf::engine {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;
constexpr int kExitOutput = 74;

} // namespace ksurf::engine
