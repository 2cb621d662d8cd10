# tests/policies.cmake — issue 13's unsorted allocator and the placement
# policies of the list allocators (allocators/policy.h, docs/policies.md).
# unsorted's own suites (contract, random, lecture, design) come with its
# name in DMM_ALLOCATORS, like every allocator's.

# The policies on scripted heaps, per allocator that offers them: the four
# fits take four different chunks, the orders, next fit's wrap and roving
# pointer, DMM_POLICY read at the first call, a bad choice aborting
# (check_policy.c). Label `policy`.
set(dmm_policy_allocators list dlist unsorted)
set(dmm_policy_fits first next best worst)
set(dmm_policy_orders_list address)          # list.c coalesces through its address order
set(dmm_policy_orders_dlist address lifo size)
set(dmm_policy_orders_unsorted address lifo size)
foreach(name ${dmm_policy_allocators})
  if(NOT name IN_LIST DMM_ALLOCATORS)
    continue()
  endif()
  set(suite_source allocators/check_policy.c)
  dmm_add_suite(policy ${name} dmm-${name})
  set_tests_properties(policy/${name} PROPERTIES LABELS "${name};policy")

  # The contract suite under every policy the allocator offers: whatever
  # chunk a fit picks and wherever an order puts it, dmm.h's promises hold.
  foreach(fit ${dmm_policy_fits})
    foreach(order ${dmm_policy_orders_${name}})
      set(test policy-contract/${name}/${fit}-${order})
      add_test(NAME ${test} COMMAND check_contract_${name})
      set_tests_properties(${test} PROPERTIES
          ENVIRONMENT "DMM_POLICY=fit=${fit},order=${order}"
          LABELS "${name};policy;contract" TIMEOUT 300)
    endforeach()
  endforeach()
  # The random suite (100,000 operations, the checker as it goes) under next
  # fit with each order: the roving pointer through every kind of removal.
  foreach(order ${dmm_policy_orders_${name}})
    set(test policy-random/${name}/next-${order})
    add_test(NAME ${test} COMMAND check_random_${name})
    set_tests_properties(${test} PROPERTIES
        ENVIRONMENT "DMM_POLICY=fit=next,order=${order}"
        LABELS "${name};policy;random" TIMEOUT 300)
  endforeach()
endforeach()

# The configure-time default (cmake -DDMM_POLICY=...), compiled into a copy
# of each allocator: "fit=worst,order=size" is the default where offered
# (list keeps order=address), and DMM_POLICY in the environment still wins.
# Only in a build without its own DMM_POLICY (one definition per file).
if(DMM_POLICY STREQUAL "")
  foreach(name ${dmm_policy_allocators})
    if(NOT name IN_LIST DMM_ALLOCATORS)
      continue()
    endif()
    set(order size)
    if(name STREQUAL "list")
      set(order address)
    endif()
    dmm_add_allocator(dmm-${name}-configured ${CMAKE_SOURCE_DIR}/allocators/${name}.c simulated)
    target_compile_definitions(dmm-${name}-configured PRIVATE DMM_POLICY_DEFAULT="fit=worst,order=size")
    set(suite_source allocators/check_policy.c)
    dmm_add_suite(policy-configured ${name} dmm-${name}-configured)
    target_compile_definitions(check_policy-configured_${name} PRIVATE
        DMM_POLICY_DEFAULT="fit=worst,order=size"
        EXPECTED_CONFIGURED_POLICY="fit=worst,order=${order}"
        EXPECTED_AFTER_FIT_FIRST="fit=first,order=${order}")
    set_tests_properties(policy-configured/${name} PROPERTIES LABELS "${name};policy")
  endforeach()
endif()

# The lecture's suites of these allocators test the lecture's policy (first
# fit; list's address order, dlist's and unsorted's LIFO list), and design/list
# its "address-ordered" promise, which only first fit keeps. A build
# configured with another default (-DDMM_POLICY) runs them with the lecture's
# policy in the environment, which wins over the configured one.
foreach(test lecture/list design/list)
  if(TEST ${test})
    set_property(TEST ${test} APPEND PROPERTY ENVIRONMENT "DMM_POLICY=fit=first,order=address")
  endif()
endforeach()
foreach(test lecture/dlist chunk/dlist design/dlist lecture/unsorted design/unsorted)
  if(TEST ${test})
    set_property(TEST ${test} APPEND PROPERTY ENVIRONMENT "DMM_POLICY=fit=first,order=lifo")
  endif()
endforeach()
