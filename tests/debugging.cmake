# tests/debugging.cmake — a student's debugging loop (docs/debugging.md):
# the re-run that names the first bad operation, --foreground, stale
# modules, the heap map of a failing check, --policy. Included from
# tests/CMakeLists.txt, after the broken modules (dmm_test_module_dir,
# dmm_test_modules).

# breaks: a bump allocator with a heap checker whose 17th free plants a bad
# link that only the checker sees (support/modules/breaks.c); it also
# offers placement policies and says on stderr which DMM_POLICY it saw.
dmm_add_allocator_module(breaks ${dmm_test_module_dir} ${support}/modules/breaks.c)

add_executable(check_debugging tools/check_debugging.c ${support}/replay_run.c
               ${support}/testfile.c ${support}/suite.c)
target_link_libraries(check_debugging PRIVATE dmm_harness PkgConfig::CHECK)
target_compile_definitions(check_debugging PRIVATE
    DMM_REPLAY="$<TARGET_FILE:dmm-replay>"
    DMM_TEST_MODULE_DIR="${dmm_test_module_dir}"
    DMM_SOURCE_DIR="${CMAKE_SOURCE_DIR}"
    DMM_BINARY_DIR="${CMAKE_BINARY_DIR}")
add_dependencies(check_debugging dmm-replay dmm-module-breaks ${dmm_test_modules})
add_test(NAME harness/debugging COMMAND check_debugging)
set_tests_properties(harness/debugging PROPERTIES LABELS "harness;debugging" TIMEOUT 300)

# A student's module older than its source (a build that failed, or was not
# run): stale/mine fails, and the suites of `mine` need it (a fixture), so a
# ctest run after a failed build says why instead of testing the old code.
if(DMM_ALLOCATOR_SOURCE)
  add_test(NAME stale/mine
           COMMAND ${CMAKE_COMMAND} -DMODULE=${DMM_MODULE_DIR}/libdmm-mine.so
                   -P ${CMAKE_CURRENT_SOURCE_DIR}/stale_module.cmake)
  set_tests_properties(stale/mine PROPERTIES LABELS "mine" FIXTURES_SETUP dmm_mine_fresh)
  set_tests_properties(contract/mine random/mine design/mine PROPERTIES
                       FIXTURES_REQUIRED dmm_mine_fresh)
endif()
# The script itself, on a temporary copy of a module and its source.
add_test(NAME harness/stale-module
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/tools/stale_module.sh
                 ${CMAKE_COMMAND} ${CMAKE_CURRENT_SOURCE_DIR}/stale_module.cmake
                 $<TARGET_FILE:dmm-replay> ${dmm_test_module_dir}/libdmm-breaks.so
                 ${support}/modules/breaks.c)
set_tests_properties(harness/stale-module PROPERTIES LABELS "harness;debugging" TIMEOUT 60)

# --foreground has no child to lose: crash's SIGSEGV ends dmm-replay itself,
# which is where gdb stops (128 + 11: the shell's status for SIGSEGV).
add_test(NAME harness/foreground-crash
         COMMAND sh -c "\"$0\" --foreground -a \"$1\" \"$2\" > /dev/null 2>&1; test $? -eq 139"
                 $<TARGET_FILE:dmm-replay> ${dmm_test_module_dir}/libdmm-crash.so
                 ${CMAKE_SOURCE_DIR}/traces/random-fixed.trace)
set_tests_properties(harness/foreground-crash PROPERTIES LABELS "harness;debugging" TIMEOUT 60)
