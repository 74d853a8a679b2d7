# fuzz_hist: libFuzzer over the `hist` file parser and the aggregate tables'
# text and JSON (fuzz_hist.cpp), built as fuzz_decode is (fuzz_decode.cmake
# says why g++ and clang's libFuzzer runtime). Registered as a bounded `unit`
# test; skipped, with the reason, where fuzz_decode is.
if(KSURF_GXX_FUZZ_MISSING)
  ksurf_fuzz_skipped(fuzz_hist "${KSURF_GXX_FUZZ_MISSING}")
  return()
endif()

set(KSURF_FUZZ_HIST_SECONDS 15 CACHE STRING "How long the fuzz_hist test fuzzes")
file(GLOB fuzz_hist_under_test CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/aggregate/*.cpp)
add_executable(fuzz_hist_bin EXCLUDE_FROM_ALL
  ${CMAKE_CURRENT_SOURCE_DIR}/fuzz_hist.cpp ${fuzz_hist_under_test})
set_target_properties(fuzz_hist_bin PROPERTIES OUTPUT_NAME fuzz_hist)
ksurf_gxx_fuzzer(fuzz_hist_bin)
add_custom_target(fuzz_hist ALL DEPENDS fuzz_hist_bin)

set(work ${CMAKE_CURRENT_BINARY_DIR}/corpus_hist)
add_test(NAME fuzz_hist
  COMMAND ${CMAKE_COMMAND} -E env ASAN_OPTIONS=detect_leaks=1
          sh -c "mkdir -p '${work}' && exec '$<TARGET_FILE:fuzz_hist_bin>' -max_total_time=${KSURF_FUZZ_HIST_SECONDS} -timeout=10 -rss_limit_mb=2048 -max_len=4096 -use_value_profile=1 -print_final_stats=1 '${work}' '${CMAKE_CURRENT_SOURCE_DIR}/corpus_hist'")
set_tests_properties(fuzz_hist PROPERTIES LABELS unit TIMEOUT ${KSURF_FUZZ_HIST_SECONDS}0)
