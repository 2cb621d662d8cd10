# tests/policy_harness.cmake — dmm-compare --policies (one allocator across
# its placement policies, allocators/policy.h). Included from
# tests/CMakeLists.txt after the broken modules (dmm_test_module_dir, support)
# and check_compare.
#
# The large scaling series (bins' last bin walked, gnu's range bins not) is
# asserted from the compare job's own run: harness/compare, check_compare.c's
# test_large_series_walks_bins_last_bin.

# A test module with policies that need no allocator of the policy piece:
# bump with fit=first|best and order=address|lifo, whose steps per malloc
# tell which policy each child ran (support/modules/policy_bump.c).
dmm_add_allocator_module(policy-bump ${dmm_test_module_dir} ${support}/modules/policy_bump.c)

# check_compare with the argument `policies` runs only its policies suite:
# --policies on a module without policies fails with exit 2, naming it and
# the built allocators that have them; on policy-bump it writes one row per
# variant (four), with the expected labels and each variant's own steps per
# malloc, and one policies-pairs.csv row per pair.
target_compile_definitions(check_compare PRIVATE
    DMM_TEST_MODULE_DIR="${dmm_test_module_dir}"
    DMM_MODULE_DIR="${DMM_MODULE_DIR}")
add_dependencies(check_compare dmm-module-policy-bump ${DMM_MODULES})
add_test(NAME harness/compare-policies COMMAND check_compare policies)
set_tests_properties(harness/compare-policies PROPERTIES
    LABELS "harness;compare;policies" TIMEOUT 600)

# The charts: plots/policies.gp on the report fixture's policies.csv and
# policies-pairs.csv, and plots/scaling.gp's scaling-large on its scaling.csv
# with a large series added (support/policy_plots.sh). Skipped without gnuplot.
add_test(NAME harness/plots-policies
         COMMAND sh ${support}/policy_plots.sh ${CMAKE_SOURCE_DIR}
                 ${CMAKE_CURRENT_BINARY_DIR}/policy-plots)
set_tests_properties(harness/plots-policies PROPERTIES
    LABELS "harness;plots;policies" SKIP_RETURN_CODE 77 TIMEOUT 300)
