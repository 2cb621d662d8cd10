#!/bin/sh
# policy_plots.sh — the charts of issue 13's compare piece, drawn by gnuplot
# on a copy of tests/support/report-fixture (tests/policy_harness.cmake):
#   plots/policies.gp  policies-steps, policies-utilization,
#                      policies-scaling-random, policies-scaling-worst
#                      from the fixture's policies.csv and policies-pairs.csv
#                      (a --quick --policies dlist run);
#   plots/scaling.gp   scaling-large, from the fixture's scaling.csv with a
#                      `large` series added (its `worst` rows, renamed), and
#                      no scaling-large when the series is absent.
# Each script must exit 0, write nothing on stderr (a gnuplot warning is a
# chart gone wrong) and write every chart as a non-empty PNG and SVG.
#
#   policy_plots.sh SOURCE_DIR WORK_DIR      exit 0 ok, 1 failed, 77 no gnuplot
set -u
source_dir=$1
work=$2
command -v gnuplot > /dev/null 2>&1 || { echo "gnuplot not found: skipped"; exit 77; }
fail() { echo "policy_plots: $*"; exit 1; }

# draw SCRIPT [SETTINGS]: runs plots/SCRIPT on $work; fails on an error or a warning.
draw() {
    errors=$(gnuplot -e "dir='$work'${2:-}" "$source_dir/plots/$1" 2>&1 > /dev/null) ||
        fail "$1 exited non-zero: $errors"
    [ -z "$errors" ] || fail "$1 wrote on stderr: $errors"
}
charts() {
    for chart in "$@"; do
        for format in png svg; do
            [ -s "$work/$chart.$format" ] || fail "no $chart.$format in $work"
        done
    done
}

rm -rf "$work" && mkdir -p "$work" || fail "cannot make $work"
cp -r "$source_dir/tests/support/report-fixture/." "$work/" || fail "cannot copy the fixture"

draw policies.gp
charts policies-steps policies-utilization policies-scaling-random policies-scaling-worst

draw scaling.gp
[ ! -e "$work/scaling-large.png" ] || fail "scaling-large.png drawn with no large series"
awk -F, 'NR > 1 && $2 == "worst" { OFS = ","; $2 = "large"; print }' \
    "$work/scaling.csv" >> "$work/scaling.csv" || fail "cannot add the large series"
draw scaling.gp
charts scaling scaling-worst scaling-large
grep -q "last bin is one list" "$work/scaling-large.svg" ||
    fail "scaling-large.svg does not say what it shows"
echo "policy_plots: ok"
