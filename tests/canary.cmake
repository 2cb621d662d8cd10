# tests/canary.cmake — the footer canary (docs/canary.md): free reports a
# write past the end of a block and aborts, the demo says what each
# allocator does, and dmm-replay shows the allocator's message. Included
# from tests/CMakeLists.txt, after the broken modules (dmm_test_module_dir).

# The allocators whose free must catch the lecture's strcpy overrun: every
# chunk has a footer (allocators/chunk.h).
set(DMM_CANARY_CATCHERS dlist bins)

# canary/NAME: the demo's result lines are what happens, a caught overrun
# dies of SIGABRT naming the sizes, writes inside a payload never abort.
set(suite_source allocators/check_canary.c)
foreach(name ${DMM_ALLOCATORS})
  dmm_add_suite(canary ${name} dmm-${name})
  target_sources(check_canary_${name} PRIVATE ${support}/capture.c)
  target_compile_definitions(check_canary_${name} PRIVATE
                             DMM_CANARY_DEMO="$<TARGET_FILE:dmm-canary-${name}>")
  add_dependencies(check_canary_${name} dmm-canary-${name})
  set_tests_properties(canary/${name} PROPERTIES LABELS "${name};canary;lecture")
endforeach()

# chunk_footer/NAME: each kind of damage chunk.h's check tells apart, with
# its message, through both allocators that share chunk.h.
set(suite_source allocators/check_chunk_footer.c)
foreach(name dlist bins)
  if(name IN_LIST DMM_ALLOCATORS)
    dmm_add_suite(chunk_footer ${name} dmm-${name})
    target_sources(check_chunk_footer_${name} PRIVATE ${support}/capture.c)
    set_tests_properties(chunk_footer/${name} PROPERTIES LABELS "${name};canary;chunk")
  endif()
endforeach()

# canary/catchers: dlist and bins say "caught it at free" for the missing
# + 1 and for the longer overrun.
set(dmm_canary_demos "")
foreach(name ${DMM_CANARY_CATCHERS})
  list(APPEND dmm_canary_demos dmm-canary-${name})
endforeach()
list(JOIN DMM_CANARY_CATCHERS " " dmm_canary_catchers_text)
add_test(NAME canary/catchers
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/tools/canary_catchers.sh
                 "${dmm_canary_catchers_text}" $<TARGET_FILE_DIR:dmm-canary-bins>)
set_tests_properties(canary/catchers PROPERTIES LABELS "canary;lecture" TIMEOUT 60)

# canary/replay: a module that writes past a block (bins-overrun), a trace
# that frees it: dmm-replay reports the crash and the allocator's message.
dmm_add_allocator_module(bins-overrun ${dmm_test_module_dir} ${support}/modules/bins_overrun.c)
add_test(NAME canary/replay
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/tools/canary_replay.sh
                 $<TARGET_FILE:dmm-replay> $<TARGET_FILE:dmm-module-bins-overrun>
                 ${support}/traces/canary-overrun.trace)
set_tests_properties(canary/replay PROPERTIES LABELS "canary;harness" TIMEOUT 60)

# `cmake --build build --target canary-tests` builds what the tests above run.
add_custom_target(canary-tests DEPENDS dmm-replay dmm-module-bins-overrun ${dmm_canary_demos})
foreach(name ${DMM_ALLOCATORS})
  add_dependencies(canary-tests check_canary_${name} dmm-canary-${name})
endforeach()
foreach(name dlist bins)
  if(TARGET check_chunk_footer_${name})
    add_dependencies(canary-tests check_chunk_footer_${name})
  endif()
endforeach()
