# cmake/dmm.cmake — the build's helper functions, defined once and used by
# every folder (allocators, harness, baselines, preload, tests).

# ---- The list of allocators, handed to the C code --------------------------
# Writes ${CMAKE_BINARY_DIR}/generated/dmm_allocators.h from DMM_ALLOCATORS
# and DMM_BASELINES (and each baseline's DMM_BASELINE_PACKAGE_<name>), and
# makes the INTERFACE target dmm_allocator_list that puts it on the include
# path. The C code includes "dmm_allocators.h" and never retypes a name.
function(dmm_generate_allocator_list)
  set(quoted "")
  foreach(name ${DMM_ALLOCATORS})
    list(APPEND quoted "\"${name}\"")
  endforeach()
  list(JOIN quoted ", " dmm_allocator_list)
  list(LENGTH DMM_ALLOCATORS dmm_allocator_count)
  list(JOIN DMM_ALLOCATORS " " dmm_allocator_words)
  set(quoted "")
  set(packages "")
  foreach(name ${DMM_BASELINES})
    list(APPEND quoted "\"${name}\"")
    list(APPEND packages "\"${DMM_BASELINE_PACKAGE_${name}}\"")
  endforeach()
  list(JOIN quoted ", " dmm_baseline_list)
  list(JOIN packages ", " dmm_baseline_packages)
  list(LENGTH DMM_BASELINES dmm_baseline_count)
  configure_file(${CMAKE_SOURCE_DIR}/cmake/dmm_allocators.h.in
                 ${CMAKE_BINARY_DIR}/generated/dmm_allocators.h @ONLY)
  add_library(dmm_allocator_list INTERFACE)
  target_include_directories(dmm_allocator_list INTERFACE ${CMAKE_BINARY_DIR}/generated)
endfunction()

# ---- Allocators as static libraries ------------------------------------------
# dmm_add_allocator(TARGET SOURCE BACKEND): the allocator's file, the shared
# calloc and a heap section (BACKEND: simulated or system) as one static
# library, for the tests and the demo.
function(dmm_add_allocator target source backend)
  add_library(${target} STATIC ${source} ${CMAKE_SOURCE_DIR}/allocators/calloc.c
              $<TARGET_OBJECTS:dmm_heap_${backend}>)
  target_include_directories(${target} PUBLIC ${CMAKE_SOURCE_DIR}/allocators)
endfunction()

# ---- Allocators as modules the harness loads ---------------------------------
# dmm_add_module(NAME OUTPUT_DIR SOURCES...): OUTPUT_DIR/libdmm-NAME.so, the
# shape dmm-replay loads with dlopen, built from SOURCES (target
# dmm-module-NAME).
function(dmm_add_module name output_dir)
  add_library(dmm-module-${name} MODULE ${ARGN})
  set_target_properties(dmm-module-${name} PROPERTIES
                        OUTPUT_NAME dmm-${name}
                        LIBRARY_OUTPUT_DIRECTORY ${output_dir})
  target_include_directories(dmm-module-${name} PRIVATE ${CMAKE_SOURCE_DIR}/allocators)
endfunction()

# dmm_add_allocator_module(NAME OUTPUT_DIR SOURCE): an allocator file on the
# simulated heap section, with the shared calloc, as a module.
function(dmm_add_allocator_module name output_dir source)
  dmm_add_module(${name} ${output_dir} ${source} ${CMAKE_SOURCE_DIR}/allocators/calloc.c
                 $<TARGET_OBJECTS:dmm_heap_simulated>)
  dmm_record_module_source(${name} ${output_dir} ${source})
endfunction()

# ---- Stale modules -------------------------------------------------------------
# dmm_record_module_source(NAME OUTPUT_DIR SOURCE): writes
# OUTPUT_DIR/libdmm-NAME.so.source, two lines: the allocator's source file
# (absolute) and the build folder. A build that fails leaves the previous
# module in place; dmm-replay compares the two files' times and warns that
# it would test the previous code (runner_names.c: runner_module_stale), and
# tests/stale_module.cmake fails a ctest run on it. Written at generate
# time, only when the text changes, so it never makes a module look newer.
function(dmm_record_module_source name output_dir source)
  get_filename_component(absolute "${source}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  file(GENERATE OUTPUT ${output_dir}/libdmm-${name}.so.source
       CONTENT "${absolute}\n${CMAKE_BINARY_DIR}\n")
endfunction()
