# ---- The footer canary: the lecture's strcpy mistake on every allocator --------
# canary.c copies a string past the end of a block and frees it in a child
# process, then says whether the allocator caught it at free (docs/canary.md).
# Included from harness/lecture/CMakeLists.txt.
set(dmm_canary_commands "")
foreach(name ${DMM_ALLOCATORS})
  add_executable(dmm-canary-${name} ${CMAKE_CURRENT_LIST_DIR}/canary.c)
  target_link_libraries(dmm-canary-${name} PRIVATE dmm-${name} dmm_describe)
  list(APPEND dmm_canary_commands COMMAND dmm-canary-${name})
endforeach()
add_custom_target(canary ${dmm_canary_commands}
                  WORKING_DIRECTORY ${CMAKE_BINARY_DIR}
                  COMMENT "The lecture's strcpy past the end of a block, on every allocator"
                  VERBATIM)
