# space.gp — how well each allocator uses memory, three charts, each
# answering one question:
#   space-utilization         "Which allocator wastes least?" One bar per
#                             allocator: its median utilization over the
#                             traces (peak live payload / peak footprint;
#                             100% wastes nothing), the whisker from its worst
#                             trace to its best, the median written above.
#   space-utilization-traces  "On which traces does it waste?" A grid,
#                             allocators down, traces across, the utilization
#                             in % in each cell, red where it is low.
#   space-footprint           "How does the waste grow with the payload?" One
#                             point per (allocator, trace): peak footprint
#                             against peak live payload, log-log, with the
#                             line footprint = payload; the height above it
#                             is the waste.
# Utilization needs no clock: every trace counts, the short ones too.
#
#   gnuplot -e "dir='build/report'" plots/space.gp
#
# Reads  dir/space-summary.csv (allocator,baseline,traces,utilization_median,
#        utilization_low,utilization_high),
#        dir/utilization-wide.csv (trace,ALLOC1,ALLOC2,...: percent),
#        dir/footprint.csv (allocator,trace,peak_live_bytes,peak_footprint_bytes),
#        dir/allocators.txt
# Writes dir/space-utilization.png/.svg, dir/space-utilization-traces.png/.svg,
#        dir/space-footprint.png/.svg

script = ARG0                          # this file, as gnuplot was given it
here = system("dirname '".script."'")  # its folder: common.gp is beside it
load here."/common.gp"
if (!file_exists(csv("space-summary.csv"))) { exit error missing("space-summary.csv") }
if (!file_exists(csv("utilization-wide.csv"))) { exit error missing("utilization-wide.csv") }
if (!file_exists(csv("footprint.csv"))) { exit error missing("footprint.csv") }

# ---- utilization: one bar per allocator ----------------------------------------

n = words(allocators)
summary = "space-summary.csv"
x_of(name) = place(name) > 0 ? place(name) - 1 : NaN
# Two series of bars, solid for the allocators, hatched for the baselines;
# in each, a bar of the other kind is flat on the x axis (height 0, out of
# sight), so that neither series is ever empty (gnuplot would warn).
solid(name, v) = baseline(name) ? 0 : v
hatched(name, v) = baseline(name) ? v : 0

set title "Which allocator wastes least? Utilization: peak live payload / peak footprint"
set ylabel "utilization (%), 100% wastes nothing"
set xlabel "bar: the median trace (every trace); whisker: worst to best trace"
set yrange [0:112]              # room above 100% for the figures
set ytics 0, 10, 100
set xrange [-0.6 : n - 0.4]
set xtics scale 0
set boxwidth 0.7
set bmargin 6                   # room for "(baseline)" under a name
set xlabel offset 0, -1
set key off

do for [format in formats] {
    eval output(format, "space-utilization")
    plot csv("space-summary.csv") using (x_of(strcol(1))):(solid(strcol(1), $4)):(colour(strcol(1))) \
             with boxes fs solid 1.0 border rgb "#404040" lc rgb variable, \
         csv(summary) using (x_of(strcol(1))):(hatched(strcol(1), $4)):(colour(strcol(1))) \
             with boxes fs pattern 4 border rgb "#404040" lc rgb variable, \
         csv(summary) using (x_of(strcol(1))):4:5:6:xtic(tic_of(strcol(1))) \
             with yerrorbars lc rgb "#303030" lw 1.2 pt 0, \
         "" using (x_of(strcol(1))):(106):(figure($4)."%") \
             with labels font sprintf(",%d", font_size - 1)
}
unset output
reset

# ---- utilization: allocators x traces ---------------------------------------------

load here."/common.gp"          # reset undid the common look
stats csv("utilization-wide.csv") using 0 nooutput
columns = STATS_records
rows = words(allocators)
row_label(name) = baseline(name) ? name . " (baseline)" : name

set title "On which traces does each allocator waste memory? Utilization (%)"
set xrange [-0.5 : columns - 0.5]
set yrange [rows - 0.5 : -0.5]  # the first allocator on top
set xtics rotate by 30 right scale 0
set ytics scale 0
set ytics () # the names come from the plot below
set border 0
unset grid
set xlabel "trace (every trace: utilization needs no clock)"
# Red where much is wasted, white where nothing is (ColorBrewer's Reds).
set cbrange [0:100]
set cbtics 0, 20, 100 scale 0
set cblabel "utilization (%)"
set palette defined (0 "#D6604D", 40 "#F4A582", 70 "#FDDBC7", 100 "#FFFFFF")
set key off

do for [format in formats] {
    eval output(format, "space-utilization-traces")
    plot for [i = 1:rows] csv("utilization-wide.csv") \
             using 0:(i - 1):(0.5):(0.5):(column(word(allocators, i))) \
             with boxxy fs solid 1.0 border rgb "#eeeeee" fc palette, \
         for [i = 1:rows] "" using 0:(i - 1):(sprintf("%.0f", column(word(allocators, i)))):xtic(1) \
             with labels font sprintf(",%d", font_size - 3), \
         for [i = 1:rows] "" using (0):(i - 1):(""):ytic(row_label(word(allocators, i))) every ::0::0 \
             with labels
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
