// Stop requests: SIGINT, SIGTERM, SIGHUP and SIGPIPE only set a flag (and
// wake a self-pipe), so every exit path runs the same teardown.
#pragma once

namespace ksurf {

void install_stop_handlers();
bool stop_requested();
int stop_signal(); // the signal that asked to stop, 0 if none
// Readable once a stop was requested (for poll()).
int stop_fd();
// Ask to stop from inside the program (e.g. -d expired, child exited).
void request_stop();

} // namespace ksurf
