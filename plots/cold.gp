# cold.gp — time per operation at a cold start: the first replay of each
# trace in a fresh process, where every page is touched for the first time.
# For each trace a group of bars, one bar per allocator, log axis. The page
# faults are the lesson: minimal, pad and mmap pay one for every fresh page
# they touch; time.gp draws the steady state beside it.
#
#   gnuplot -e "dir='build/report'" plots/cold.gp
#
# Reads  dir/cold-wide.csv (trace,ALLOC1,ALLOC2,...: cold_ns_per_op, one
#        replay per pair), allocators.txt
# Writes dir/cold.png, dir/cold.svg

script = ARG0                          # this file, as gnuplot was given it
here = system("dirname '".script."'")  # its folder: common.gp is beside it
load here."/common.gp"
if (!file_exists(csv("cold-wide.csv"))) { exit error missing("cold-wide.csv") }

stats csv("cold-wide.csv") using 0 nooutput   # before the log axis: row 0 would not count
set xrange [-0.6 : STATS_records - 0.4]          # the group of row i is centred on x = i

set title "Time per operation, cold start (the first replay of a fresh process)"
set ylabel "ns per operation (log scale)"
set xlabel "trace"
set logscale y
set format y "%g"
set yrange [1:*]                # bars start at 1 ns: 0 has no place on a log axis
set style data histograms
set style histogram clustered gap 1
set style fill solid 1.0 border rgb "#404040"
set xtics rotate by 30 right scale 0
set key outside right top vertical

do for [format in formats] {
    eval output(format, "cold")
    plot for [i = 1:words(allocators)] csv("cold-wide.csv") \
         using (column(word(allocators, i))):xtic(1) \
         title word(allocators, i) lc rgb colour(word(allocators, i))
}
unset output
