#!/bin/sh
# compare.sh — run one workload on glibc's malloc and on a dmm allocator,
# and compare the two outputs byte for byte.
#
#     compare.sh DMM_RUN ALLOCATOR WORKLOAD SCALE WORKDIR PROGRAM_DIR
#
# WORKLOAD is one of: sort sqlite python git gzip threads fork api; the last
# three are the test programs in PROGRAM_DIR (preload_threads, preload_fork,
# preload_api, built from this folder). SCALE sizes
# it (CMake picks a smaller one for the allocators that never reuse memory,
# see docs/preload.md). Exit 0 when both runs succeed with identical output;
# 1 otherwise, with the difference on stderr. A program that is not
# installed is a failure, never a skip: CI (.ci/run) installs it.
set -eu
run=$1 allocator=$2 workload=$3 scale=$4 work=$5 programs=$6
py_script=$(cd "$(dirname "$0")" && pwd)/alloc_heavy.py

fail() { echo "preload/$allocator/$workload: $*" >&2; exit 1; }
need() {
    command -v "$1" >/dev/null 2>&1 ||
        fail "'$1' is not installed (the preload tests need it; .ci/run installs it)"
}

rm -rf "$work" && mkdir -p "$work" || fail "cannot create $work"
cd "$work"

# The input: SCALE * 1000 lines of pseudo-random words, the same every run.
make_input() {
    awk -v n="$1" 'BEGIN { x = 12345
        for (i = 0; i < n; i++) {
            x = (x * 1103515245 + 12345) % 2147483648
            printf "%08x line %d %s\n", x, i, substr("abcdefghijklmnopqrstuvwxyz", x % 26 + 1, x % 13 + 1)
        } }' > input.txt
}

# workload OUTPUT: runs the workload (prefixed by $prefix, empty for glibc)
# with its output in OUTPUT.
workload() {
    out=$1
    case $workload in
    sort)
        $prefix sort -k 3 -k 1,1 input.txt > "$out" ;;
    sqlite)
        $prefix sqlite3 ':memory:' > "$out" <<SQL
CREATE TABLE t (id INTEGER PRIMARY KEY, k TEXT, v INTEGER);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $scale * 1000)
INSERT INTO t (k, v) SELECT printf('key%05d', (i * 7919) % 10007), (i * 104729) % 1000 FROM n;
CREATE INDEX t_k ON t (k);
SELECT count(*), sum(v), min(k), max(k) FROM t;
SELECT k, count(*), sum(v) FROM t GROUP BY k ORDER BY sum(v) DESC, k LIMIT 5;
UPDATE t SET k = k || '-' || v WHERE v % 3 = 0;
DELETE FROM t WHERE v % 5 = 0;
SELECT count(*), sum(length(k)) FROM t;
SELECT group_concat(k, ',') FROM (SELECT k FROM t ORDER BY k LIMIT 20);
SQL
        ;;
    python)
        PYTHONMALLOC=$pymalloc $prefix "$python" "$py_script" "$scale" > "$out" ;;
    git)
        rm -rf repo && mkdir repo
        (
            cd repo
            export HOME="$work" GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME=dmm GIT_AUTHOR_EMAIL=dmm@example.org \
                GIT_COMMITTER_NAME=dmm GIT_COMMITTER_EMAIL=dmm@example.org \
                GIT_AUTHOR_DATE='2024-01-01T00:00:00Z' GIT_COMMITTER_DATE='2024-01-01T00:00:00Z'
            $prefix git init -q -b main .
            i=0
            while [ $i -lt "$scale" ]; do
                mkdir -p "d$((i % 10))"
                sed -n "$((i * 50 + 1)),$((i * 50 + 50))p" ../input.txt > "d$((i % 10))/f$i.txt"
                i=$((i + 1))
            done
            $prefix git add .
            $prefix git commit -q -m "first"
            sed -n '1,500p' ../input.txt >> d0/f0.txt
            $prefix git commit -q -a -m "second"
            $prefix git log --stat --format='%H %s'
            $prefix git rev-parse HEAD^{tree}
            $prefix git fsck --full 2>&1
        ) > "$out" ;;
    gzip)
        { $prefix gzip -n -6 -c input.txt | tee input.gz | $prefix gzip -d -c | cksum
          cksum < input.gz; } > "$out" ;;
    threads | fork)
        $prefix "$programs/preload_$workload" "$scale" > "$out" ;;
    api)
        $prefix "$programs/preload_api" > "$out" ;;
    *)
        fail "unknown workload" ;;
    esac
}

python=python3
pymalloc=malloc # every Python object through the allocator under test
case $workload in
sort) need sort; need awk; make_input $((scale * 1000)) ;;
sqlite) need sqlite3 ;;
python)
    need python3
    [ -x /usr/bin/python3 ] && python=/usr/bin/python3 # the system's, not a shim
    # mmap: one mapping per object would pass vm.max_map_count (65530);
    # Python's own small-object allocator keeps the mapping count low.
    [ "$allocator" = mmap ] && pymalloc=pymalloc ;;
git) need git; need awk; make_input $((scale * 50)) ;;
gzip) need gzip; need cksum; need awk; make_input $((scale * 1000)) ;;
esac

prefix=
workload expected.out || fail "the run on glibc's malloc failed (status $?)"
prefix="$run $allocator --"
workload actual.out || fail "the run on $allocator failed (status $?)"
[ -s expected.out ] || fail "the workload printed nothing"
if ! cmp -s expected.out actual.out; then
    diff expected.out actual.out | head -20 >&2
    fail "output differs from glibc's (files in $work)"
fi
echo "preload/$allocator/$workload: same output as glibc ($(wc -c < actual.out) bytes)"
rm -rf "$work"
