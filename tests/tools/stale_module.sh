#!/bin/sh
# tests/tools/stale_module.sh CMAKE SCRIPT DMM_REPLAY MODULE SOURCE — a
# module older than its source (a failed build) is warned about by
# dmm-replay and fails tests/stale_module.cmake; once the module is newer,
# neither says anything. Works on copies in a temporary folder: the build's
# own files are never touched.
set -u
cmake=$1 script=$2 replay=$3 module=$4 source=$5
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
cp "$module" "$dir/libdmm-copy.so" && cp "$source" "$dir/copy.c" || fail "cannot copy"
printf '%s\n%s\n' "$dir/copy.c" "$dir/build" > "$dir/libdmm-copy.so.source"
printf 'a 0 10\nf 0\n' > "$dir/t.trace"

# The source edited after the module was built.
touch -d '2020-01-01 11:58:00' "$dir/libdmm-copy.so"
touch -d '2020-01-01 12:03:00' "$dir/copy.c"
"$replay" -q --repeat 0 -a "$dir/libdmm-copy.so" "$dir/t.trace" 2> "$dir/err"
status=$?
[ "$status" -eq 0 ] || fail "dmm-replay exited $status: $(cat "$dir/err")"
grep -q "warning: libdmm-copy.so is older than $dir/copy.c (source modified 12:03:00, module built 11:58:00): the last build failed or was not run" "$dir/err" \
    || fail "no stale warning: $(cat "$dir/err")"
grep -q "cmake --build $dir/build" "$dir/err" || fail "no rebuild command: $(cat "$dir/err")"
"$cmake" -DMODULE="$dir/libdmm-copy.so" -P "$script" > "$dir/out" 2>&1 \
    && fail "the ctest check passed a stale module: $(cat "$dir/out")"
grep -q "is older than $dir/copy.c" "$dir/out" || fail "ctest check message: $(cat "$dir/out")"

# Rebuilt: the module is newer; no warning, and the check passes.
touch -d '2020-01-01 12:04:00' "$dir/libdmm-copy.so"
"$replay" -q --repeat 0 -a "$dir/libdmm-copy.so" "$dir/t.trace" 2> "$dir/err" || fail "rerun failed"
grep -q "older than" "$dir/err" && fail "warned about a fresh module: $(cat "$dir/err")"
"$cmake" -DMODULE="$dir/libdmm-copy.so" -P "$script" > "$dir/out" 2>&1 \
    || fail "the ctest check failed a fresh module: $(cat "$dir/out")"
echo "ok: stale module warned about, fresh one not"
