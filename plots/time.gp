# time.gp — time per operation in steady state: for each trace a group of
# bars, one bar per allocator, ns per operation on a log axis (mmap is 100x
# the others). cold.gp draws the cold start the same way.
#
#   gnuplot -e "dir='build/report'" plots/time.gp
#
# Reads  dir/time-wide.csv (trace,ALLOC1,ALLOC2,...: ns_per_op, steady state:
#        the median of the replays after the cold one, in one fresh process,
#        over every operation of the trace), allocators.txt
# Writes dir/time.png, dir/time.svg

script = ARG0                          # this file, as gnuplot was given it
here = system("dirname '".script."'")  # its folder: common.gp is beside it
load here."/common.gp"
if (!file_exists(csv("time-wide.csv"))) { exit error missing("time-wide.csv") }

stats csv("time-wide.csv") using 0 nooutput   # before the log axis: row 0 would not count
set xrange [-0.6 : STATS_records - 0.4]          # the group of row i is centred on x = i

set title "Time per operation, steady state (median of the replays after the first)"
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
    eval output(format, "time")
    plot for [i = 1:words(allocators)] csv("time-wide.csv") \
         using (column(word(allocators, i))):xtic(1) \
         title word(allocators, i) lc rgb colour(word(allocators, i))
}
unset output
