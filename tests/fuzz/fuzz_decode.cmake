# fuzz_decode: libFuzzer over the record decoder and both output writers
# (fuzz_decode.cpp). Unlike fuzz_compile it is built with the project's own
# compiler (g++): output's interfaces hold std::expected, which clang 14 with
# libstdc++ 12 cannot compile. g++ has no -fsanitize=fuzzer, so the libFuzzer
# runtime of clang's compiler-rt is linked in, with AddressSanitizer and
# UBSan from g++, and coverage from -finstrument-functions and trace-cmp
# (fuzz_coverage.cpp). Registered as a bounded `unit` test.
if(KSURF_GXX_FUZZ_MISSING)
  ksurf_fuzz_skipped(fuzz_decode "${KSURF_GXX_FUZZ_MISSING}")
  return()
endif()

set(src ${CMAKE_SOURCE_DIR}/src)
# The code under test, built again with sanitizers and coverage; the rest
# comes from ksurf_core, uninstrumented.
file(GLOB fuzz_decode_under_test CONFIGURE_DEPENDS ${src}/output/*.cpp ${src}/util/strings.cpp)
add_executable(fuzz_decode_bin EXCLUDE_FROM_ALL
  ${CMAKE_CURRENT_SOURCE_DIR}/fuzz_decode.cpp ${fuzz_decode_under_test})
set_target_properties(fuzz_decode_bin PROPERTIES OUTPUT_NAME fuzz_decode)
# Only FuzzedDataProvider.h: clang's own stddef.h and friends are not for g++.
configure_file(${KSURF_CLANG_RESOURCE}/include/fuzzer/FuzzedDataProvider.h
               ${CMAKE_CURRENT_BINARY_DIR}/include/fuzzer/FuzzedDataProvider.h COPYONLY)
add_library(fuzz_coverage OBJECT ${CMAKE_CURRENT_SOURCE_DIR}/fuzz_coverage.cpp)
# A g++ libFuzzer binary: the code under test (its sources) with ASan, UBSan
# and coverage; the rest from ksurf_core, uninstrumented. fuzz_hist too.
function(ksurf_gxx_fuzzer target)
  target_include_directories(${target} SYSTEM PRIVATE ${CMAKE_CURRENT_BINARY_DIR}/include)
  target_compile_options(${target} PRIVATE
    -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
    -finstrument-functions -finstrument-functions-exclude-file-list=/usr/include,/usr/lib
    -fsanitize-coverage=trace-cmp)
  target_link_libraries(${target} PRIVATE
    $<TARGET_OBJECTS:fuzz_coverage> ksurf_core ${KSURF_FUZZER_RT} -fsanitize=address,undefined)
endfunction()
ksurf_gxx_fuzzer(fuzz_decode_bin)
add_custom_target(fuzz_decode ALL DEPENDS fuzz_decode_bin)

set(work ${CMAKE_CURRENT_BINARY_DIR}/corpus_decode)
add_test(NAME fuzz_decode
  COMMAND ${CMAKE_COMMAND} -E env ASAN_OPTIONS=detect_leaks=1
          LSAN_OPTIONS=suppressions=${CMAKE_CURRENT_SOURCE_DIR}/lsan.supp
          sh -c "mkdir -p '${work}' && exec '$<TARGET_FILE:fuzz_decode_bin>' -max_total_time=${KSURF_FUZZ_DECODE_SECONDS} -timeout=10 -rss_limit_mb=2048 -max_len=2048 -use_value_profile=1 -print_final_stats=1 '${work}' '${CMAKE_CURRENT_SOURCE_DIR}/corpus_decode'")
set_tests_properties(fuzz_decode PROPERTIES LABELS unit
                     TIMEOUT ${KSURF_FUZZ_DECODE_SECONDS}0)
