// Coverage feedback for libFuzzer targets built with g++. g++ has no
// -fsanitize=fuzzer and its -fsanitize-coverage=trace-pc is refused by the
// libFuzzer runtime, so the code under test is built with
// -finstrument-functions (every call enters __cyg_profile_func_enter) and
// -fsanitize-coverage=trace-cmp (libFuzzer's own comparison hooks). Each
// (function, call site) pair bumps one of 64 K 8-bit counters, registered as
// an inline-counter module: libFuzzer keeps an input when it reaches a pair
// or a count bucket it had not seen. Coarser than clang's edge coverage, but
// it guides the search.
#include <cstddef>
#include <cstdint>

extern "C" void __sanitizer_cov_8bit_counters_init(uint8_t *start, uint8_t *stop);
extern "C" void __sanitizer_cov_pcs_init(const uintptr_t *start, const uintptr_t *stop);

namespace {

constexpr size_t kCounters = size_t{1} << 16;
uint8_t counters[kCounters];
// libFuzzer wants one (pc, flags) pair per counter: stand-ins, never printed.
uintptr_t pcs[2 * kCounters];

struct Register {
    __attribute__((no_instrument_function)) Register() {
        for (size_t i = 0; i < kCounters; ++i) pcs[2 * i] = i + 1;
        __sanitizer_cov_8bit_counters_init(counters, counters + kCounters);
        __sanitizer_cov_pcs_init(pcs, pcs + 2 * kCounters);
    }
};
__attribute__((init_priority(101))) Register register_counters;

} // namespace

extern "C" __attribute__((no_instrument_function)) void __cyg_profile_func_enter(void *fn,
                                                                                 void *site) {
    auto pc = reinterpret_cast<uintptr_t>(fn) ^ (reinterpret_cast<uintptr_t>(site) << 3);
    uint8_t &c = counters[(pc ^ (pc >> 16)) & (kCounters - 1)];
    if (c != 255) ++c;
}

extern "C" __attribute__((no_instrument_function)) void __cyg_profile_func_exit(void *, void *) {}

// g++'s trace-cmp also reports floating-point comparisons, which libFuzzer
// does not take: nothing to learn from them here.
extern "C" __attribute__((no_instrument_function)) void __sanitizer_cov_trace_cmpf(float, float) {}
extern "C" __attribute__((no_instrument_function)) void __sanitizer_cov_trace_cmpd(double, double) {
}
