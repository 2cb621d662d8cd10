# tests/stale_module.cmake — cmake -DMODULE=.../libdmm-NAME.so -P this:
# fails when the source recorded next to the module (libdmm-NAME.so.source,
# cmake/dmm.cmake: dmm_record_module_source) is newer than the module, that
# is, when the last build failed or was not run and the tests would test the
# previous code. dmm-replay gives the same warning (runner_names.c).
if(NOT EXISTS "${MODULE}.source")
  message(STATUS "${MODULE}: no source recorded, nothing to compare")
  return()
endif()
file(STRINGS "${MODULE}.source" lines)
list(GET lines 0 source)
list(LENGTH lines count)
set(build "the build folder")
if(count GREATER 1)
  list(GET lines 1 build)
endif()
if(NOT EXISTS "${MODULE}")
  message(FATAL_ERROR "${MODULE} does not exist: build first (cmake --build ${build})")
endif()
# IS_NEWER_THAN is also true for equal times: compare seconds instead.
file(TIMESTAMP "${MODULE}" built "%s")
file(TIMESTAMP "${source}" edited "%s")
if(edited GREATER built)
  file(TIMESTAMP "${MODULE}" built_at "%H:%M:%S")
  file(TIMESTAMP "${source}" edited_at "%H:%M:%S")
  get_filename_component(name "${MODULE}" NAME)
  message(FATAL_ERROR "${name} is older than ${source} (source modified ${edited_at}, module "
                      "built ${built_at}): the last build failed or was not run, so the tests "
                      "would test the previous code; rebuild with cmake --build ${build} and "
                      "read its errors")
endif()
message(STATUS "${MODULE} is up to date with ${source}")
