#!/bin/sh
# checked.sh — one misuse under `dmm-run --checked` (docs/preload.md).
#
#     checked.sh DMM_RUN ALLOCATOR MISUSE_PROGRAM MODE EXPECTED
#
# Runs MISUSE_PROGRAM MODE on ALLOCATOR in checked mode. EXPECTED "ok": the
# program must print ok and exit 0. Otherwise the program must die of
# SIGABRT and its stderr must hold EXPECTED (a fixed string) and the
# allocator's name, on a line that starts "dmm-preload (".
set -u
run=$1 allocator=$2 program=$3 mode=$4 expected=$5
out=$("$run" --checked "$allocator" -- "$program" "$mode" 2>&1)
status=$?
fail() { echo "checked/$allocator/$mode: $*" >&2; echo "its output: $out" >&2; exit 1; }
if [ "$expected" = ok ]; then
    [ "$status" -eq 0 ] || fail "exit status $status, expected 0"
    [ "$out" = ok ] || fail "expected 'ok'"
    exit 0
fi
# 134 = 128 + SIGABRT (6), as sh reports a signal.
[ "$status" -eq 134 ] || fail "exit status $status, expected 134 (SIGABRT)"
printf '%s\n' "$out" | grep -F "dmm-preload ($allocator): " | grep -qF -- "$expected" ||
    fail "no line 'dmm-preload ($allocator): ...$expected...'"
exit 0
