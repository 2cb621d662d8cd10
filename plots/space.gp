# space.gp — how well each allocator uses memory, two charts:
#   space-utilization  for each trace a group of bars, one per allocator:
#                      utilization in percent (peak live payload / peak
#                      footprint; 100% wastes nothing);
#   space-footprint    one point per (allocator, trace): peak footprint
#                      against peak live payload, log-log, with the line
#                      footprint = payload; the height above it is the waste.
#
#   gnuplot -e "dir='build/report'" plots/space.gp
#
# Reads  dir/utilization-wide.csv (trace,ALLOC1,ALLOC2,...: percent),
#        dir/footprint.csv (allocator,trace,peak_live_bytes,peak_footprint_bytes),
#        dir/allocators.txt
# Writes dir/space-utilization.png/.svg, dir/space-footprint.png/.svg

script = ARG0                          # this file, as gnuplot was given it
here = system("dirname '".script."'")  # its folder: common.gp is beside it
load here."/common.gp"
if (!file_exists(csv("utilization-wide.csv"))) { exit error missing("utilization-wide.csv") }
if (!file_exists(csv("footprint.csv"))) { exit error missing("footprint.csv") }

# ---- utilization: grouped bars ------------------------------------------------

stats csv("utilization-wide.csv") using 0 nooutput
set xrange [-0.6 : STATS_records - 0.4]          # the group of row i is centred on x = i

set title "Space utilization: peak live payload / peak footprint"
set ylabel "utilization (%)"
set xlabel "trace"
set yrange [0:100]
set ytics 0, 10, 100
set style data histograms
set style histogram clustered gap 1
set style fill solid 1.0 border rgb "#404040"
set xtics rotate by 30 right scale 0
set key outside right top vertical

do for [format in formats] {
    eval output(format, "space-utilization")
    plot for [i = 1:words(allocators)] csv("utilization-wide.csv") \
         using (column(word(allocators, i))):xtic(1) \
         title word(allocators, i) lc rgb colour(word(allocators, i))
}
unset output
reset

# ---- footprint against payload: scatter ---------------------------------------

load here."/common.gp"          # reset undid the common look

# The x and y range: one decade-aligned square, so y = x is the diagonal.
stats csv("footprint.csv") using 3:4 nooutput
low = 10 ** floor(log10(STATS_min_x < STATS_min_y ? STATS_min_x : STATS_min_y))
high = 10 ** ceil(log10(STATS_max_x > STATS_max_y ? STATS_max_x : STATS_max_y))

set title "Peak footprint against peak live payload, one point per allocator and trace"
set xlabel "peak live payload (bytes, log scale)"
set ylabel "peak footprint (bytes, log scale)"
set logscale xy
set xrange [low:high]
set yrange [low:high]
set format x "%.0s %cB"
set format y "%.0s %cB"
set grid xtics ytics lt 1 lw 1 lc rgb "#d9d9d9"
set size ratio -1               # square decades: the lines run at 45 degrees
set key outside right center vertical
# The label goes just below its line: no point can be there, since a
# footprint is never smaller than the payload it holds. The 10% line is
# named in the key instead, as points may lie anywhere along it.
set label 1 "footprint = payload (utilization 100%)" at low * 4, low * 4 / 2.5 \
    rotate by 45 left textcolor rgb "#404040"

do for [format in formats] {
    eval output(format, "space-footprint")
    plot x with lines lc rgb "#404040" lw 1 notitle, \
         10 * x with lines dt 2 lc rgb "#909090" lw 1 title "10 x payload (10%)", \
         for [i = 1:words(allocators)] csv("footprint.csv") \
         using (strcol(1) eq word(allocators, i) ? $3 : NaN):4 \
         with points pt shape(i) ps 2 lw 2 lc rgb colour(word(allocators, i)) \
         title word(allocators, i)
}
unset output
