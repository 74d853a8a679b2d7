// Typed system errors: what failed, errno, and what the kernel said.
#pragma once

#include <expected>
#include <string>

namespace ksurf {

struct Error {
    std::string message;    // what failed, in the user's terms
    int err = 0;            // errno, 0 when not a system error
    std::string kernel_log; // tracefs error_log lines, when the kernel refused
    std::string hint;       // what to do about it, may be empty

    // One block of text for the terminal: message, errno text, kernel log, hint.
    std::string str() const;
};

template <class T> using Result = std::expected<T, Error>;
using Status = std::expected<void, Error>;

inline std::unexpected<Error> fail(std::string message, int err = 0, std::string hint = {}) {
    return std::unexpected(Error{std::move(message), err, {}, std::move(hint)});
}

} // namespace ksurf
