# tests/checked.cmake — checked mode (dmm-replay --checked, dmm-run --checked)
# and the harness defects fixed with it. Included from tests/CMakeLists.txt,
# after the broken modules (dmm_test_module_dir, dmm_test_modules).

# ---- dmm-replay --checked -------------------------------------------------------
# Three more broken modules: list-short (list_base.h with list_coalesce.h's
# correct coalesce) and bump-short (bump_base.h) size each chunk for 8 bytes
# less than asked: the overrun lands on the chunk above, or the next header
# on the block below; realloc-twice (a list) frees the old block twice when
# realloc moves it.
foreach(broken list-short bump-short realloc-twice)
  string(REPLACE "-" "_" source ${broken})
  dmm_add_allocator_module(${broken} ${dmm_test_module_dir} ${support}/modules/${source}.c)
  list(APPEND dmm_checked_modules dmm-module-${broken})
endforeach()

# Each planted bug caught at the op that did it with --checked (and where it
# shows without); every allocator passes --checked; -q still says why a
# module did not load; --series and --heap-map-dir refuse to overwrite.
add_executable(check_checked tools/check_checked.c ${support}/replay_run.c
               ${support}/testfile.c ${support}/suite.c)
target_link_libraries(check_checked PRIVATE dmm_harness PkgConfig::CHECK)
target_compile_definitions(check_checked PRIVATE
    DMM_REPLAY="$<TARGET_FILE:dmm-replay>"
    DMM_TEST_MODULE_DIR="${dmm_test_module_dir}"
    DMM_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
add_dependencies(check_checked dmm-replay ${dmm_test_modules} ${dmm_checked_modules} ${DMM_MODULES})
add_test(NAME harness/checked COMMAND check_checked)
set_tests_properties(harness/checked PROPERTIES LABELS "harness;checked" TIMEOUT 600)

# ---- dmm-run --checked ------------------------------------------------------------
# tests/programs/misuse.c, one misuse per test, on every allocator: each must
# print the layer's message naming the block and die of SIGABRT
# (programs/checked.sh); the clean and memalign modes must print ok.
add_executable(preload_misuse programs/misuse.c)
target_compile_options(preload_misuse PRIVATE -fno-builtin)
set(dmm_checked_modes double-free invalid-free interior-free overflow-1 overflow-8 overflow-64
                      realloc-overflow clean memalign)
set(dmm_checked_expect_double-free "free(): double free of 0x")
set(dmm_checked_expect_invalid-free "free(): invalid pointer 0x")
set(dmm_checked_expect_interior-free "not a block: at offset 8 of the 24-byte block 0x")
set(dmm_checked_expect_overflow-1 "free(): 1 byte written past the 24-byte block 0x")
set(dmm_checked_expect_overflow-8 "free(): 8 bytes written past the 24-byte block 0x")
set(dmm_checked_expect_overflow-64 "free(): 64 bytes written past the 24-byte block 0x")
set(dmm_checked_expect_realloc-overflow "realloc(): 8 bytes written past the 24-byte block 0x")
set(dmm_checked_expect_clean "ok")
set(dmm_checked_expect_memalign "ok")
foreach(name ${DMM_ALLOCATORS})
  foreach(mode ${dmm_checked_modes})
    add_test(NAME checked/${name}/${mode}
             COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/programs/checked.sh
                     $<TARGET_FILE:dmm-run> ${name} $<TARGET_FILE:preload_misuse> ${mode}
                     "${dmm_checked_expect_${mode}}")
    set_tests_properties(checked/${name}/${mode} PROPERTIES LABELS "checked;preload;${name}"
                         TIMEOUT 60)
  endforeach()
  # memalign as glibc serves it, outside checked mode too.
  add_test(NAME preload/${name}/memalign
           COMMAND sh -c "out=$(\"$0\" ${name} -- \"$1\" memalign) && test \"$out\" = ok"
                   $<TARGET_FILE:dmm-run> $<TARGET_FILE:preload_misuse>)
  set_tests_properties(preload/${name}/memalign PROPERTIES LABELS "preload;${name}" TIMEOUT 60)
endforeach()
