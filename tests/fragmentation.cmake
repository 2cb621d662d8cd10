# Issue 13: internal vs external fragmentation named. The split of the peak
# footprint (payload, internal, external, metadata, never reused, unwalked)
# on every allocator, worked out independently for minimal, pad, list and
# segregated from small traces; the heap map's letters for dmm.h's chunk
# kinds; plots/peak-split.gp on the report fixture (its chart test does
# nothing without gnuplot, and says so on stderr).
add_executable(check_fragmentation tools/check_fragmentation.c ${support}/replay_run.c
               ${support}/testfile.c ${support}/suite.c)
target_link_libraries(check_fragmentation PRIVATE dmm_harness PkgConfig::CHECK)
target_compile_definitions(check_fragmentation PRIVATE
    DMM_REPLAY="$<TARGET_FILE:dmm-replay>"
    DMM_TEST_MODULE_DIR="${dmm_test_module_dir}"
    DMM_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
add_dependencies(check_fragmentation dmm-replay ${DMM_MODULES})
add_test(NAME harness/fragmentation COMMAND check_fragmentation)
set_tests_properties(harness/fragmentation PROPERTIES LABELS "harness;fragmentation" TIMEOUT 300)
