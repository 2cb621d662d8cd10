# ---- Predict, then reveal: dmm-predict-NAME, one per allocator ----------------
# predict.c asks and reveals, predict_map.c keeps and draws the heap map and
# reads the right answers off it, predict_answers.c reads the student's
# answers; compiled once, linked with each allocator
# (the objects call dmm_*, which each allocator library defines). The trace
# parser comes from the harness library. docs/predict.md is the manual.
add_library(dmm_predict_objects OBJECT predict.c predict_map.c predict_answers.c)
target_link_libraries(dmm_predict_objects PRIVATE dmm_describe)
target_include_directories(dmm_predict_objects PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}
                           ${CMAKE_SOURCE_DIR}/harness/replay ${CMAKE_SOURCE_DIR}/allocators)
foreach(name ${DMM_ALLOCATORS})
  add_executable(dmm-predict-${name} $<TARGET_OBJECTS:dmm_predict_objects>)
  target_link_libraries(dmm-predict-${name} PRIVATE dmm-${name} dmm_harness dmm_describe)
  list(APPEND dmm_predict_targets dmm-predict-${name})
endforeach()
# A student's own allocator (-DDMM_ALLOCATOR_SOURCE=...): dmm-predict-mine.
if(DMM_ALLOCATOR_SOURCE)
  add_executable(dmm-predict-mine $<TARGET_OBJECTS:dmm_predict_objects>)
  target_link_libraries(dmm-predict-mine PRIVATE dmm dmm_harness dmm_describe)
  list(APPEND dmm_predict_targets dmm-predict-mine)
endif()
# `cmake --build build --target predict` builds them all.
add_custom_target(predict)
add_dependencies(predict ${dmm_predict_targets})
