# tests/valgrind.cmake — valgrind's memcheck sees dmm's blocks (allocators/heap.h,
# "memcheck"; docs/valgrind.md). Included from tests/CMakeLists.txt.
#
#   valgrind/bad/NAME      a program built against allocator NAME writes one byte
#                          past a block and leaks one: memcheck reports both, at
#                          the program's lines, as it would on glibc's malloc
#   valgrind/clean/NAME    a program that makes no mistake: no report at all
#   valgrind/replay/NAME   dmm-replay on the lecture's demo trace: no report
#                          (the harness's checking pass walks the headers)
# Skipped (exit 77) when valgrind is not installed; not built when the
# allocators are built without the client requests (DMM_MEMCHECK=OFF).
if(NOT DMM_MEMCHECK)
  return()
endif()

set(dmm_valgrind_probe ${CMAKE_CURRENT_SOURCE_DIR}/programs/valgrind_probe.c)
set(dmm_valgrind_script ${CMAKE_CURRENT_SOURCE_DIR}/programs/valgrind_probe.sh)
foreach(name ${DMM_ALLOCATORS})
  add_executable(valgrind_probe_${name} ${dmm_valgrind_probe})
  target_link_libraries(valgrind_probe_${name} PRIVATE dmm-${name})
  foreach(mode bad clean)
    add_test(NAME valgrind/${mode}/${name}
             COMMAND sh ${dmm_valgrind_script} $<TARGET_FILE:valgrind_probe_${name}>
                     ${dmm_valgrind_probe} ${mode})
  endforeach()
  add_test(NAME valgrind/replay/${name}
           COMMAND sh ${dmm_valgrind_script} - - replay $<TARGET_FILE:dmm-replay>
                   ${CMAKE_SOURCE_DIR}/traces/lecture-demo.trace ${name})
  set_tests_properties(valgrind/bad/${name} valgrind/clean/${name} valgrind/replay/${name}
                       PROPERTIES LABELS "valgrind;${name}" SKIP_RETURN_CODE 77 TIMEOUT 300)
endforeach()
