# Issue 13's lecture fidelity (tests/CMakeLists.txt includes this file):
#   harness/lecture-rows   what each measured row is compared with: the
#                          lecture's own five rows, dmm's readings with the
#                          slide's words (check_lecture_rows.c)
#   demo/NAME              the demo's notes on every allocator, both
#                          variants, against what a replay of lecture_demo[]
#                          finds (check_lecture_demo.c)

add_executable(check_lecture_rows tools/check_lecture_rows.c ${support}/suite.c)
target_link_libraries(check_lecture_rows PRIVATE dmm_lecture_table PkgConfig::CHECK)
add_test(NAME harness/lecture-rows COMMAND check_lecture_rows)
set_tests_properties(harness/lecture-rows PROPERTIES LABELS "harness;lecture-table" TIMEOUT 300)

# The demo on every allocator: check_lecture_demo_NAME replays lecture_demo[]
# against the allocator it is linked with, finds the steps where the slides'
# picture does not hold from addresses, walks and dmm_stats, and requires
# dmm-demo-NAME's notes at exactly those steps (both variants, --summary).
foreach(name ${DMM_ALLOCATORS})
  if(NOT TARGET dmm-demo-${name})
    continue()
  endif()
  add_executable(check_lecture_demo_${name} tools/check_lecture_demo.c ${support}/suite.c)
  target_link_libraries(check_lecture_demo_${name} PRIVATE dmm-${name} PkgConfig::CHECK)
  target_include_directories(check_lecture_demo_${name} PRIVATE ${CMAKE_SOURCE_DIR}/harness/lecture)
  target_compile_definitions(check_lecture_demo_${name} PRIVATE
      DMM_DEMO="$<TARGET_FILE:dmm-demo-${name}>")
  add_dependencies(check_lecture_demo_${name} dmm-demo-${name})
  add_test(NAME demo/${name} COMMAND check_lecture_demo_${name})
  set_tests_properties(demo/${name} PROPERTIES LABELS "${name};lecture;demo" TIMEOUT 300)
endforeach()
