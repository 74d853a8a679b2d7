#include "util/error.h"

#include <cstring>

namespace ksurf {

std::string Error::str() const {
    std::string s = message;
    if (err != 0) {
        s += ": ";
        s += std::strerror(err);
    }
    if (!kernel_log.empty()) {
        s += "\n  kernel error_log: ";
        std::string log = kernel_log;
        while (!log.empty() && log.back() == '\n') log.pop_back();
        for (char c : log) {
            s += c;
            if (c == '\n') s += "                    ";
        }
    }
    if (!hint.empty()) {
        s += "\n  hint: ";
        s += hint;
    }
    return s;
}

} // namespace ksurf
