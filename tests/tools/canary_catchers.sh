#!/bin/sh
# canary_catchers.sh — the allocators that must catch the lecture's strcpy
# overrun at free do (docs/canary.md).
#
#     canary_catchers.sh "NAME ..." DEMO_DIR
#
# Runs DEMO_DIR/dmm-canary-NAME for every NAME listed (the allocators with a
# footer in every chunk: dlist and bins) and requires its first two cases,
# the missing + 1 and the longer overrun, to end "NAME caught it at free:".
# Which other allocators catch it is whatever their demo says; canary/NAME
# checks that every demo's lines are what happens.
set -u
names=$1 dir=$2
failed=0
for name in $names; do
    out=$("$dir/dmm-canary-$name" 2>&1) || { echo "dmm-canary-$name failed: $out" >&2; failed=1; continue; }
    caught=$(printf '%s\n' "$out" | grep "^   result: " | head -n 2 | grep -c "^   result: $name caught it at free: $name: free(): ")
    if [ "$caught" -ne 2 ]; then
        echo "canary/catchers: $name caught $caught of the first 2 overruns; its results:" >&2
        printf '%s\n' "$out" | grep "^   result: " >&2
        failed=1
    fi
done
exit $failed
