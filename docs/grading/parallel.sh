#!/bin/sh
# parallel.sh — grade a class in N shards with GNU parallel (Debian:
# parallel), then merge the shards' grade books into one.
#
#   docs/grading/parallel.sh CONFIG SUBMISSIONS OUT N [PARALLEL_OPTION...]
#
# Locally, N shards run side by side (each its own dmm-grade, -j 1):
#   docs/grading/parallel.sh docs/grading/sample.conf submissions/ grades 2
# Across hosts, with the dmm tree, the submissions and OUT on a filesystem
# every host shares, at the same path (GNU parallel runs the command there):
#   docs/grading/parallel.sh docs/grading/sample.conf submissions/ grades 8 \
#       --sshlogin 4/host1,4/host2 --workdir "$PWD"
# Each host measures its own reference (glibc) for the time cost, so the
# throughput ratios compare across hosts; with `throughput instructions`
# the hosts' figures are identical anyway.
#
# DMM_GRADE names the dmm-grade to run (default build/harness/dmm-grade,
# made absolute so that a remote host finds it at the same path).
set -eu
if [ $# -lt 4 ]; then
    echo "usage: $0 CONFIG SUBMISSIONS OUT N [PARALLEL_OPTION...]" >&2
    exit 2
fi
config=$1 submissions=$2 out=$3 shards=$4
shift 4
grade=$(realpath "${DMM_GRADE:-build/harness/dmm-grade}")
config=$(realpath "$config")
submissions=$(realpath "$submissions")
mkdir -p "$out"
out=$(realpath "$out")

# --halt now,fail=1: one shard that cannot finish stops the rest; no merge.
seq 1 "$shards" | parallel --halt now,fail=1 "$@" \
    "$grade" -q -c "$config" -o "$out/shard-{}" --shard "{}/$shards" "$submissions"
books=$(seq -f "$out/shard-%g/grades.csv" 1 "$shards")
# shellcheck disable=SC2086 # one word per book: the paths hold no spaces
"$grade" merge -o "$out/grades.csv" $books
echo "grade book: $out/grades.csv"
