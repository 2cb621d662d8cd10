# Defects found by probing (included at the end of tests/CMakeLists.txt, so
# `support`, `dmm_test_module_dir` and the test targets are defined).

# A module whose constructor aborts: dmm-replay must call it a module that
# cannot be loaded (exit 2), not a crashed pair (harness/replay-broken).
dmm_add_allocator_module(ctor-abort ${dmm_test_module_dir} ${support}/modules/ctor_abort.c)
add_dependencies(check_replay_broken dmm-module-ctor-abort)
