#!/bin/sh
# valgrind_probe.sh — runs tests/programs/valgrind_probe.c (built against one
# allocator) under valgrind's memcheck and checks what memcheck says
# (docs/valgrind.md). Used by tests/valgrind.cmake.
#
#   valgrind_probe.sh PROBE SOURCE bad     the write one past a block is
#       "Invalid write of size 1" at the line marked OUT OF BOUNDS, "0 bytes
#       after a block of size 20 alloc'd"; the block allocated at the line
#       marked LEAKED is "definitely lost"; exactly those 2 errors, exit 99
#   valgrind_probe.sh PROBE SOURCE clean   no error at all, exit 0
#   valgrind_probe.sh - - replay REPLAY TRACE ALLOCATOR
#       dmm-replay on the trace under memcheck: no error at all
#
# Exit: 0 as expected; 1 not (memcheck's output is printed); 77 when
# valgrind is not installed (CTest's SKIP_RETURN_CODE).
probe=$1 source=$2 mode=$3
command -v valgrind >/dev/null 2>&1 || { echo "valgrind is not installed: skipped"; exit 77; }
log=$(mktemp) || exit 1
trap 'rm -f "$log"' EXIT

fail() {
    echo "FAIL: $*"
    echo "---- memcheck said:"
    cat "$log"
    exit 1
}

# --error-exitcode: a program with memcheck errors exits 99, whatever it returns.
run() {
    valgrind --error-exitcode=99 --leak-check=full --log-file="$log" "$@" >/dev/null 2>&1
}

case $mode in
bad)
    run "$probe" bad
    status=$?
    write_line=$(grep -n 'PROBE: OUT OF BOUNDS' "$source" | cut -d: -f1)
    leak_line=$(grep -n 'PROBE: LEAKED' "$source" | cut -d: -f1)
    [ "$status" -eq 99 ] || fail "exit status $status, expected 99 (memcheck errors)"
    grep -A1 'Invalid write of size 1' "$log" | grep -q "valgrind_probe.c:$write_line)" ||
        fail "no \"Invalid write of size 1\" at valgrind_probe.c:$write_line"
    grep -q 'is 0 bytes after a block of size 20 alloc'"'"'d' "$log" ||
        fail "the write is not described as 0 bytes after the 20-byte block"
    grep -A4 '40 bytes in 1 blocks are definitely lost' "$log" |
        grep -q "valgrind_probe.c:$leak_line)" ||
        fail "no \"definitely lost\" 40-byte block allocated at valgrind_probe.c:$leak_line"
    grep -q 'ERROR SUMMARY: 2 errors from 2 contexts' "$log" ||
        fail "expected exactly the 2 errors"
    ;;
clean)
    run "$probe" clean
    status=$?
    [ "$status" -eq 0 ] || fail "exit status $status, expected 0"
    grep -q 'ERROR SUMMARY: 0 errors' "$log" || fail "memcheck reported errors"
    grep -q 'All heap blocks were freed' "$log" || fail "blocks left at exit"
    ;;
replay)
    run "$4" -a "$6" "$5"
    status=$?
    [ "$status" -eq 0 ] || fail "dmm-replay exit status $status, expected 0"
    grep -q 'ERROR SUMMARY: 0 errors' "$log" || fail "memcheck reported errors"
    ;;
*)
    echo "usage: valgrind_probe.sh PROBE SOURCE bad|clean, or - - replay REPLAY TRACE ALLOCATOR"
    exit 2
    ;;
esac
echo "ok: $mode"
