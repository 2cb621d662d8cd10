# ---- Predict, then reveal (harness/lecture/predict.c) ---------------------------
# check_predict_NAME replays the lecture's demo sequence, every trace of
# traces/exercises/ and a trace of every kind of call on the allocator it
# links, computes each right answer itself, and checks dmm-predict-NAME's
# answer key, a full score and a zero score against them; then bad answers
# files, bad options, the end of input (tools/check_predict.c). On every
# allocator (and a student's own, "mine"), and for the allocators with
# placement policies also under each fit of DMM_POLICY: the key must follow
# the policy, since it is read off the allocator, never modelled.
if(TARGET dmm_predict_objects)
  set(dmm_predict_suites ${DMM_ALLOCATORS})
  if(DMM_ALLOCATOR_SOURCE)
    list(APPEND dmm_predict_suites mine)  # a student's own allocator: the library dmm
  endif()
  foreach(name ${dmm_predict_suites})
    set(library dmm-${name})
    if(name STREQUAL "mine")
      set(library dmm)
    endif()
    add_executable(check_predict_${name} tools/check_predict.c ${support}/testfile.c
                   ${support}/suite.c)
    target_link_libraries(check_predict_${name} PRIVATE ${library} dmm_harness PkgConfig::CHECK)
    target_include_directories(check_predict_${name} PRIVATE ${CMAKE_SOURCE_DIR}/harness/lecture)
    target_compile_definitions(check_predict_${name} PRIVATE
        DMM_PREDICT="$<TARGET_FILE:dmm-predict-${name}>"
        DMM_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
    add_dependencies(check_predict_${name} dmm-predict-${name})
    add_test(NAME predict/${name} COMMAND check_predict_${name})
    set_tests_properties(predict/${name} PROPERTIES LABELS "predict;${name}" TIMEOUT 300)
  endforeach()
  # The policies (allocators/policy.h): the fits of the allocators that offer them.
  foreach(name list dlist unsorted)
    if(name IN_LIST DMM_ALLOCATORS)
      foreach(fit next best worst)
        add_test(NAME predict/${name}/fit=${fit} COMMAND check_predict_${name})
        set_tests_properties(predict/${name}/fit=${fit} PROPERTIES
            LABELS "predict;${name};policy" TIMEOUT 300 ENVIRONMENT "DMM_POLICY=fit=${fit}")
      endforeach()
    endif()
  endforeach()
endif()
# A heap checker that fails (support/predict_checker_fails.c: list.c whose
# checker lies from its fourth walk on): exit status 1 and the checker's
# message, naming the operation after which it walked.
if(TARGET dmm_predict_objects AND "list" IN_LIST DMM_ALLOCATORS)
  dmm_add_allocator(dmm-checker-fails ${support}/predict_checker_fails.c simulated)
  add_executable(dmm-predict-checker-fails $<TARGET_OBJECTS:dmm_predict_objects>)
  target_link_libraries(dmm-predict-checker-fails PRIVATE dmm-checker-fails dmm_harness
                        dmm_describe)
  add_test(NAME predict/checker-fails
           COMMAND sh -c "out=$(\"$0\" --reveal 2>&1); status=$?; echo \"$out\"; test $status -eq 1 && echo \"$out\" | grep -q 'the heap checker, after operation 3: invariant 9 broken'"
                   $<TARGET_FILE:dmm-predict-checker-fails>)
  set_tests_properties(predict/checker-fails PROPERTIES LABELS "predict" TIMEOUT 60)
endif()
