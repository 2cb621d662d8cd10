# cold.gp — time per operation at a cold start: the first replay of each
# trace in a fresh process, where every page is touched for the first time.
# One question: "What does a fresh start cost each allocator?" One bar per
# allocator, its median ns per operation over the traces, the whisker from
# its fastest trace to its slowest, the median written above; log axis.
# The page faults are the lesson: minimal, pad and mmap pay one for every
# fresh page they touch. time.gp draws the steady state the same way.
# Traces under min_ops operations (1000; harness/tools/compare/charts.h
# says why) are not in the data: their ns/op would be start-up noise.
#
#   gnuplot -e "dir='build/report'" plots/cold.gp
#
# Reads  dir/time-summary.csv (allocator,baseline,traces,steady_median,
#        steady_low,steady_high,cold_median,cold_low,cold_high,min_ops),
#        allocators.txt
# Writes dir/cold.png, dir/cold.svg

script = ARG0                          # this file, as gnuplot was given it
here = system("dirname '".script."'")  # its folder: common.gp is beside it
load here."/common.gp"
if (!file_exists(csv("time-summary.csv"))) { exit error missing("time-summary.csv") }

stats csv("time-summary.csv") using 9:10 nooutput   # the slowest trace; the cut
if (STATS_records == 0) { exit error sprintf("%s: %s has no timed allocator", script, csv("time-summary.csv")) }
min_ops = int(STATS_max_y)
top = 10 ** ceil(log10(3 * STATS_max_x))

n = words(allocators)
summary = "time-summary.csv"
x_of(name) = place(name) > 0 ? place(name) - 1 : NaN
# Two series of bars, solid for the allocators, hatched for the baselines;
# in each, a bar of the other kind is flat on the x axis (height 0, out of
# sight), so that neither series is ever empty (gnuplot would warn).
solid(name, v) = baseline(name) ? 1 : v
hatched(name, v) = baseline(name) ? v : 1

set title "What does a fresh start cost? ns per operation, cold start (first replay)"
set ylabel "ns per operation, cold start (log scale)"
set xlabel sprintf("bar: the median trace (traces of %d operations or more); whisker: fastest to slowest trace", min_ops)
set logscale y
set format y "%g"
set yrange [1 : top]
set xrange [-0.6 : n - 0.4]
set xtics scale 0
set boxwidth 0.7
set bmargin 6                   # room for "(baseline)" under a name
set xlabel offset 0, -1
set key off

do for [format in formats] {
    eval output(format, "cold")
    plot csv("time-summary.csv") using (x_of(strcol(1))):(solid(strcol(1), $7)):(colour(strcol(1))) \
             with boxes fs solid 1.0 border rgb "#404040" lc rgb variable, \
         csv(summary) using (x_of(strcol(1))):(hatched(strcol(1), $7)):(colour(strcol(1))) \
             with boxes fs pattern 4 border rgb "#404040" lc rgb variable, \
         csv(summary) using (x_of(strcol(1))):7:8:9:xtic(tic_of(strcol(1))) \
             with yerrorbars lc rgb "#303030" lw 1.2 pt 0, \
         "" using (x_of(strcol(1))):($9 * 1.45):(figure($7)) \
             with labels font sprintf(",%d", font_size - 1)
}
unset output
