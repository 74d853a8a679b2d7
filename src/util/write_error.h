// Output failures are failures: the first write error on standard output or
// an output file is remembered here, the run loops stop on it, and the
// command exits with kExitOutput after tearing down. EPIPE on standard output
// is not one of them: the reader went away (`ksurf ... | head`), a normal stop.
#pragma once

#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

namespace ksurf {

struct WriteError {
    std::string file; // "standard output", or the file's name
    int err = 0;      // errno
    // "cannot write FILE: No space left on device (ENOSPC)"
    std::string str() const;
};

// Remembers a write error (only the first one counts).
void note_write_error(std::string_view file, int err);
// fwrite(data) to f, remembering the error (with its errno) if it fails.
bool write_checked(std::FILE *f, std::string_view data, std::string_view file);
// fflush(f), then remembers the error if the stream has one. True when all is well.
bool flush_checked(std::FILE *f, std::string_view file);
// The error that must fail the run, if any (not EPIPE on standard output).
std::optional<WriteError> write_failure();
// True once standard output or a file failed in any way, the reader going away included.
bool output_broken();

} // namespace ksurf
