#!/usr/bin/env bash
# fuzz/run.sh [SECONDS_PER_TARGET] — build the libFuzzer targets with clang
# and run each for SECONDS_PER_TARGET (default 60) seconds (docs/fuzzing.md).
#
#   fuzz/run.sh          the CI run: 60 s per target
#   fuzz/run.sh 3600     a long run: an hour per target
#
# The build goes to build-fuzz/ (DMM_FUZZ_BUILD_DIR=... to move it). Each
# target starts from a copy of its seeds (fuzz/corpus/NAME/) in
# build-fuzz/corpus/NAME/, which keeps what the runs find from one run to
# the next; nothing is ever written into fuzz/. A crash, leak, timeout or
# out-of-memory input is kept in build-fuzz/artifacts/NAME/ and the command
# that reproduces it is printed. Exit status: 0 when no target failed, 1
# otherwise (after running every target), 2 for a usage or build error.
set -euo pipefail

seconds=${1:-60}
if [[ $# -gt 1 || ! $seconds =~ ^[1-9][0-9]*$ ]]; then
    echo "usage: fuzz/run.sh [SECONDS_PER_TARGET]   (a whole number > 0; default 60)" >&2
    exit 2
fi
root=$(cd "$(dirname "$0")/.." && pwd)
build=${DMM_FUZZ_BUILD_DIR:-$root/build-fuzz}

# name  max_len: a trace needs more than 1024 ops and IDs (~9 KB) to grow its
# arrays and rehash its ID table; a configuration line is at most 4096 bytes,
# so 8 KB reaches the "line longer than" message with room to spare.
targets=("trace 16384" "grade-config 8192")

if ! command -v clang >/dev/null; then
    echo "fuzz/run.sh: clang not found (Debian: apt-get install clang libclang-rt-14-dev)" >&2
    exit 2
fi
CC=clang cmake -S "$root" -B "$build" -DDMM_FUZZ=ON -DBUILD_TESTING=OFF \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null || exit 2
cmake --build "$build" --target fuzz-trace fuzz-grade-config -j 2 || exit 2

failed=0
summary=()
for entry in "${targets[@]}"; do
    read -r name max_len <<<"$entry"
    fuzzer=$build/fuzz/fuzz-$name
    corpus=$build/corpus/$name
    artifacts=$build/artifacts/$name
    log=$build/logs/$name.log
    mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
    cp "$root"/fuzz/corpus/"$name"/* "$corpus"/

    echo "== fuzz-$name: $seconds s on $corpus ($(ls "$corpus" | wc -l) inputs); log: $log"
    status=0
    started=$SECONDS
    "$fuzzer" -max_total_time="$seconds" -dict="$root/fuzz/$name.dict" -max_len="$max_len" \
        -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$artifacts/" "$corpus" >"$log" 2>&1 || status=$?

    elapsed=$((SECONDS - started)) # less than asked when libFuzzer stopped at a failure
    executed=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    # What libFuzzer saved this run ("Test unit written to PATH"); a slow
    # unit is reported, not a failure.
    saved=$(sed -n 's/.*Test unit written to //p' "$log" | grep -v '/slow-unit-' || true)
    crashes=$(grep -c . <<<"$saved" || true)
    line="fuzz-$name: ${executed:-?} inputs executed in $elapsed s, $crashes crash(es), exit $status"
    summary+=("$line")
    echo "$line"
    if [[ $status -ne 0 || $crashes -ne 0 ]]; then
        failed=1
        grep -E '^(==[0-9]+==|SUMMARY|fuzz-'"$name"': broken rule)' "$log" | head -n 5 || true
        if [[ -z $saved ]]; then
            echo "   no input saved; the whole log: $log"
        fi
        while read -r input; do
            [[ -n $input ]] && echo "   reproduce: $fuzzer $input"
        done <<<"$saved"
    fi
done

echo "== summary"
printf '%s\n' "${summary[@]}"
exit "$failed"
