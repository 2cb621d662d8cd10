#!/bin/sh
# bench.sh — dmm-grade's benchmarks (figures in the grading issue's closing
# note): COPIES copies of a correct submission (allocators/list.c, an
# explicit free list as a good student writes it) graded on the sample
# configuration's traces with -j 2, with the time cost and with the
# instruction cost; then a small class graded twice with the instruction
# cost, whose two grade books must be identical.
#
#   docs/grading/bench.sh [COPIES [INSTRUCTION_COPIES [WORK]]]
#
# Defaults: 200 copies for the time cost, 20 for the instruction cost
# (about a second of callgrind per pair: the whole 200 take some 25
# minutes on 2 cores), work in /tmp/dmm-grade-bench. Run from the tree,
# after `cmake --build build --target dmm-grade`.
set -eu
copies=${1:-200}
instruction_copies=${2:-20}
work=${3:-/tmp/dmm-grade-bench}
grade=${DMM_GRADE:-build/harness/dmm-grade}
sample=docs/grading/sample.conf

rm -rf "$work"
mkdir -p "$work/class" "$work/few"
for i in $(seq -w 1 "$copies"); do
    cp allocators/list.c "$work/class/student$i.c"
done
for i in $(seq -w 1 "$instruction_copies"); do
    cp allocators/list.c "$work/few/student$i.c"
done
# The sample with absolute trace paths and the instruction cost.
sed -e "s|\.\./\.\./traces|$PWD/traces|" \
    -e 's|^throughput .*|throughput instructions glibc|' "$sample" > "$work/instructions.conf"

seconds() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

start=$(seconds)
"$grade" -q -j 2 -c "$sample" -o "$work/time" "$work/class"
end=$(seconds)
echo "time cost:        $copies students x $(grep -c '^trace' "$sample") traces, -j 2: $(elapsed "$start" "$end") s wall"

for run in 1 2; do
    start=$(seconds)
    "$grade" -q -j 2 -c "$work/instructions.conf" -o "$work/instructions-$run" "$work/few"
    end=$(seconds)
    echo "instruction cost: $instruction_copies students, -j 2, run $run: $(elapsed "$start" "$end") s wall"
done
if cmp -s "$work/instructions-1/grades.csv" "$work/instructions-2/grades.csv"; then
    echo "two gradings with the instruction cost: identical grade books"
else
    echo "two gradings with the instruction cost: the grade books DIFFER"
    diff "$work/instructions-1/grades.csv" "$work/instructions-2/grades.csv" | head
    exit 1
fi
