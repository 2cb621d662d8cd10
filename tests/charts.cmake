# Issue 13: charts readable at a glance. Included from tests/CMakeLists.txt.
#
# harness/charts: one `dmm-compare --quick --repeat 1` run, then the data of
# the time charts (the traces too short to time left out, the summary bar
# the median of the rest) and index.html (the table sorts and filters, every
# chart has a caption, the charts follow the lecture's questions; with node
# installed, tools/check_table.js runs the page's sorting script). The
# colours, keys and time-chart labels are checked on the report fixture by
# harness/plots (tools/check_plots.c), which needs libm for CIELAB.
add_executable(check_charts tools/check_charts.c ${support}/testfile.c)
target_link_libraries(check_charts PRIVATE PkgConfig::CHECK m)
target_compile_definitions(check_charts PRIVATE DMM_COMPARE="$<TARGET_FILE:dmm-compare>"
                                               DMM_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
add_dependencies(check_charts dmm-compare)
add_test(NAME harness/charts COMMAND check_charts)
# RUN_SERIAL as harness/compare: the run times every allocator.
set_tests_properties(harness/charts PROPERTIES LABELS "harness;charts;plots" TIMEOUT 600
                     RUN_SERIAL TRUE)

target_link_libraries(check_plots PRIVATE m) # check_plots.c's colour distances
