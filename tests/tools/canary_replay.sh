#!/bin/sh
# canary_replay.sh — dmm-replay shows the allocator's own message when a
# pair aborts because the allocator found its heap corrupted (docs/canary.md).
#
#     canary_replay.sh DMM_REPLAY MODULE TRACE
#
# MODULE (bins-overrun) writes past a block that TRACE then frees: the pair
# must be reported as a crash with SIGABRT at the free (exit status 1), and
# the output, stdout or stderr, must hold bins' one-line message whole, on
# a line of its own (not glued to a progress line) and naming the sizes.
set -u
replay=$1 module=$2 trace=$3
out=$("$replay" -a "$module" "$trace" 2>&1)
status=$?
fail() { echo "canary/replay: $*" >&2; echo "its output:" >&2; printf '%s\n' "$out" >&2; exit 1; }
[ "$status" -eq 1 ] || fail "exit status $status, expected 1 (a pair crashed)"
printf '%s\n' "$out" | grep -q "crashed with SIGABRT" || fail "no 'crashed with SIGABRT'"
printf '%s\n' "$out" | grep -q "op #3 (free id 1)" || fail "the crash is not at op #3, free id 1"
message="bins: free(): footer canary overwritten: block 0x"
printf '%s\n' "$out" | grep -qF -- "$message" || fail "the allocator's message is missing"
printf '%s\n' "$out" | grep -F -- "$message" | grep -qF "header size 64, footer size 64" ||
    fail "the message does not name the sizes"
exit 0
