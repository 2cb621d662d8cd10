# tests/preload_layer.cmake — the LD_PRELOAD layer's bookkeeping (issue 14):
# malloc_usable_size and the aligned functions in each of the layer's modes
# (preload/preload.c): SIZED (the allocator defines dmm_usable_size: the
# allocators in DMM_PRELOAD_SIZED, read from their sources by
# preload/CMakeLists.txt), TABLE (it does not, or DMM_PRELOAD_TABLE=1 forces
# it), and checked. The list is one fact, written once; these tests fail if
# a library does not behave as it says (usable's exact/rounded tell the two
# modes apart, DMM_PRELOAD_REPORT=1 names the mode).
# Correctness only: the layer's speed is bench-preload's (docs/preload.md).
# Included from tests/CMakeLists.txt after the preload tests (preload_threads,
# preload_api, preload_misuse exist; they run api and threads on every
# library in its own mode, SIZED where the allocator has the function).

add_executable(preload_usable programs/usable.c)
target_compile_options(preload_usable PRIVATE -fno-builtin)  # every call as written

# preload_layer_test(TEST LIBRARY PASS_REGEX COMMAND... [ENV VAR=VALUE...]):
# COMMAND under LD_PRELOAD=LIBRARY and the VAR=VALUE given after ENV.
function(preload_layer_test test library pass)
  cmake_parse_arguments(PARSE_ARGV 3 arg "" "" "ENV")
  add_test(NAME preload_layer/${test} COMMAND ${arg_UNPARSED_ARGUMENTS})
  set_tests_properties(preload_layer/${test} PROPERTIES
                       ENVIRONMENT "LD_PRELOAD=${library};${arg_ENV}"
                       PASS_REGULAR_EXPRESSION "${pass}"
                       LABELS "preload;preload_layer" TIMEOUT 120)
endfunction()

set(usable_passes "usable: [0-9]+ checks, 0 failed")
foreach(name ${DMM_ALLOCATORS})
  set(library ${DMM_PRELOAD_DIR}/libdmm-preload-${name}.so)
  if(name IN_LIST DMM_PRELOAD_SIZED)
    set(mode SIZED)
    set(expect rounded)  # the allocator's answer: >= the request, larger for some sizes
  else()
    set(mode TABLE)
    set(expect exact)    # the size asked for, exactly
  endif()
  preload_layer_test(${name}/usable ${library} "${usable_passes}" preload_usable ${expect})
  preload_layer_test(${name}/usable-checked ${library} "${usable_passes}" preload_usable exact
                     ENV DMM_CHECKED=1)
  # The mode the layer reports at exit is the one the list says, and the
  # variables change it: a program that calls malloc, three times.
  add_test(NAME preload_layer/${name}/mode
           COMMAND sh -c "for v in DMM_PRELOAD_REPORT=1:$2 DMM_PRELOAD_TABLE=1:TABLE DMM_CHECKED=1:CHECKED; do
                            got=$(env LD_PRELOAD=\"$1\" DMM_PRELOAD_REPORT=1 \"\${v%%:*}\" \"$0\" any 2>&1 >/dev/null) || exit 1;
                            echo \"$got\"; echo \"$got\" | grep -q \"^dmm-preload\\[[0-9]*\\] $3 mode \${v#*:}$\" || { echo \"expected mode \${v#*:} with \${v%%:*}\"; exit 1; };
                          done"
                   $<TARGET_FILE:preload_usable> ${library} ${mode} ${name})
  set_tests_properties(preload_layer/${name}/mode PROPERTIES LABELS "preload;preload_layer" TIMEOUT 120)
  # A pointer no block starts at (8 bytes into one) is refused at free,
  # outside checked mode too: a message, then abort.
  add_test(NAME preload_layer/${name}/misaligned-free
           COMMAND sh -c "out=$(LD_PRELOAD=\"$1\" \"$0\" interior-free 2>&1); s=$?; echo \"$out\";
                          test $s -ge 128 && echo \"$out\" | grep -q 'free(0x[0-9a-f]*): invalid pointer: no block starts there'"
                   $<TARGET_FILE:preload_misuse> ${library})
  set_tests_properties(preload_layer/${name}/misaligned-free PROPERTIES
                       LABELS "preload;preload_layer" TIMEOUT 60)
  if(mode STREQUAL "SIZED")
    # The fallback forced on an allocator that has the function: exact
    # again, and the rules of the malloc family (api.c) and 4 threads
    # handing blocks to each other (threads.c: the same output as on glibc)
    # in TABLE mode — SIZED is the preload tests' own mode here.
    preload_layer_test(${name}/usable-table ${library} "${usable_passes}" preload_usable exact
                       ENV DMM_PRELOAD_TABLE=1)
    preload_layer_test(${name}/api-table ${library} "[0-9]+ checks, 0 failed" preload_api
                       ENV DMM_PRELOAD_TABLE=1)
    add_test(NAME preload_layer/${name}/threads-table
             COMMAND sh -c "a=$(\"$0\" 20000) && b=$(LD_PRELOAD=\"$1\" DMM_PRELOAD_TABLE=1 \"$0\" 20000) && test -n \"$a\" && test \"$a\" = \"$b\""
                     $<TARGET_FILE:preload_threads> ${library})
    set_tests_properties(preload_layer/${name}/threads-table PROPERTIES
                         LABELS "preload;preload_layer" TIMEOUT 120)
  endif()
endforeach()
