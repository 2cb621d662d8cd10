# time.gp — time per operation in steady state, two charts, each answering
# one question:
#   time         "Which allocator is fast?" One bar per allocator: its
#                median ns per operation over the traces, the whisker from
#                its fastest trace to its slowest, the median written above.
#                Log scale (mmap is 100 x the others).
#   time-traces  "On which traces is it slow?" A grid, allocators down,
#                traces across: each cell is the ns per operation, written
#                in it, and coloured by how it compares with the median
#                allocator on that trace (blue faster, red slower).
# Both are steady state: the median of the replays after the cold one, in
# one fresh process. Traces under min_ops operations (1000, written in
# time-summary.csv; harness/tools/compare/charts.h says why) are not in
# the data: their ns/op would be start-up noise. cold.gp draws the cold
# start the same way.
#
#   gnuplot -e "dir='build/report'" plots/time.gp
#
# Reads  dir/time-summary.csv (allocator,baseline,traces,steady_median,
#        steady_low,steady_high,cold_median,cold_low,cold_high,min_ops),
#        dir/time-traces.csv (trace,allocator,trace_index,allocator_index,
#        ns_per_op,ratio), allocators.txt
# Writes dir/time.png/.svg, dir/time-traces.png/.svg

script = ARG0                          # this file, as gnuplot was given it
here = system("dirname '".script."'")  # its folder: common.gp is beside it
load here."/common.gp"
if (!file_exists(csv("time-summary.csv"))) { exit error missing("time-summary.csv") }
if (!file_exists(csv("time-traces.csv"))) { exit error missing("time-traces.csv") }

# ---- time: one bar per allocator ------------------------------------------------

stats csv("time-summary.csv") using 6:10 nooutput   # the slowest trace; the cut
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

set title "Which allocator is fast? ns per operation in steady state"
set ylabel "ns per operation, steady state (log scale)"
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
    eval output(format, "time")
    plot csv("time-summary.csv") using (x_of(strcol(1))):(solid(strcol(1), $4)):(colour(strcol(1))) \
             with boxes fs solid 1.0 border rgb "#404040" lc rgb variable, \
         csv(summary) using (x_of(strcol(1))):(hatched(strcol(1), $4)):(colour(strcol(1))) \
             with boxes fs pattern 4 border rgb "#404040" lc rgb variable, \
         csv(summary) using (x_of(strcol(1))):4:5:6:xtic(tic_of(strcol(1))) \
             with yerrorbars lc rgb "#303030" lw 1.2 pt 0, \
         "" using (x_of(strcol(1))):($6 * 1.45):(figure($4)) \
             with labels font sprintf(",%d", font_size - 1)
}
unset output
reset

# ---- time-traces: allocators x traces ---------------------------------------------

load here."/common.gp"          # reset undid the common look
stats csv("time-traces.csv") using 3:4 nooutput
columns = int(STATS_max_x) + 1
rows = words(allocators)
y_of(name) = place(name) > 0 ? place(name) - 1 : NaN
row_label(name) = baseline(name) ? name . " (baseline)" : name
clamp(v) = v < -1 ? -1 : v > 1 ? 1 : v

set title "On which traces is each allocator slow? Steady-state ns per operation"
set xrange [-0.5 : columns - 0.5]
set yrange [rows - 0.5 : -0.5]  # the first allocator on top
set xtics rotate by 30 right scale 0
set ytics scale 0
set border 0
unset grid
set xlabel sprintf("trace (%d operations or more); colour: the cell against the median allocator on that trace", min_ops)
# 0.1 x to 10 x the trace's median, on a log scale: ColorBrewer's RdBu,
# lightened so that the black figures stay readable on every cell.
set cbrange [-1 : 1]
set cbtics ("0.1 x" -1, "0.3 x" -0.5, "median" 0, "3 x" 0.5, "10 x" 1) scale 0
set palette defined (-1 "#4393C3", -0.4 "#D1E5F0", 0 "#F7F7F7", 0.4 "#FDDBC7", 1 "#D6604D")
set key off

do for [format in formats] {
    eval output(format, "time-traces")
    plot csv("time-traces.csv") using 3:(y_of(strcol(2))):(0.5):(0.5):(clamp(log10($6))) \
             with boxxy fs solid 1.0 noborder fc palette, \
         "" using 3:(y_of(strcol(2))):(figure($5)):xtic(1) \
             with labels font sprintf(",%d", font_size - 3), \
         "" using 3:(y_of(strcol(2))):(""):ytic(row_label(strcol(2))) with labels
}
unset output
