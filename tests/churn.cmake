# tests/churn.cmake — large chunks without churn (issue 14, "Also measured"):
# tests/programs/stress.c, 8 threads of random malloc/free/realloc of 1 B to
# 64 KiB with cross-thread frees, run on each allocator under LD_PRELOAD. Its
# summary (counts and a checksum read from the blocks' memory) does not
# depend on the interleaving, so it must equal glibc's: a correctness test of
# the allocator and the layer under threads. The speed is measured by hand
# (docs/allocators/segregated.md, "Large chunks: the threshold").
# Included from tests/CMakeLists.txt (OPTIONAL), after the preload tests.

find_package(Threads REQUIRED)  # found already where tests/CMakeLists.txt includes this
add_executable(preload_stress ${CMAKE_CURRENT_LIST_DIR}/programs/stress.c)
target_link_libraries(preload_stress PRIVATE Threads::Threads)
target_compile_options(preload_stress PRIVATE -fno-builtin)  # every call as written

set(dmm_churn_operations 40000)  # 5 rounds of 1000 per thread: seconds on any allocator

foreach(name ${DMM_ALLOCATORS})
  # minimal and pad never reuse memory: 40,000 requests of 32 KiB on average
  # would be a gigabyte each. The threads workload covers them.
  if(name MATCHES "^(minimal|pad)$")
    continue()
  endif()
  add_test(NAME preload_stress/${name}
           COMMAND sh -c "test -f \"$1\" || { echo \"no $1\"; exit 1; };
                          a=$(\"$0\" $2) && b=$(LD_PRELOAD=\"$1\" \"$0\" $2); s=$?;
                          echo \"glibc: $a\"; echo \"$3: $b\";
                          test $s -eq 0 && test -n \"$a\" && test \"$a\" = \"$b\""
                   $<TARGET_FILE:preload_stress> ${DMM_PRELOAD_DIR}/libdmm-preload-${name}.so
                   ${dmm_churn_operations} ${name})
  set_tests_properties(preload_stress/${name} PROPERTIES
                       LABELS "preload;churn;${name}" TIMEOUT 120)
endforeach()

# Bad arguments: a message naming the argument, exit status 2, no run.
add_test(NAME preload_stress/bad-argument
         COMMAND sh -c "\"$0\" 12x 2>&1; test $? -eq 2" $<TARGET_FILE:preload_stress>)
set_tests_properties(preload_stress/bad-argument PROPERTIES
                     LABELS "preload;churn"
                     PASS_REGULAR_EXPRESSION "stress: OPERATIONS must be an integer in [0-9.]+, not '12x'")
