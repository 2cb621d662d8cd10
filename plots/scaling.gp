# scaling.gp — how the cost of malloc and free grows: four
# panels (malloc ns, free ns, search steps per malloc, per free) against the
# number of live blocks, log-log, one line per allocator. On log-log axes a
# cost that does not grow is flat, and a cost that grows in proportion to
# the live blocks (a search through all of them) rises with slope 1.
# Then, when scaling.csv has the `large` series, one chart of its own:
# steps per malloc against the number of large free chunks, which shows
# bins' last bin (one list for every chunk of 1 KiB or more) walked to its
# end while gnu's size-range bins are not.
#
#   gnuplot -e "dir='build/report'" plots/scaling.gp
#   gnuplot -e "dir='build/report'; scaling_series='random worst fixed'" plots/scaling.gp
#
# Variables (-e): scaling_series  the series to draw in four panels (default
#                 "random worst"); random is written as scaling.png, any
#                 other S as scaling-S.png; `large` has its own chart and is
#                 not drawn in four panels
# Reads  dir/scaling.csv (allocator,series,live_blocks,ops,ns_per_op,malloc_ns,
#        free_ns,steps_per_malloc,steps_per_free), dir/allocators.txt
# Writes dir/scaling.png/.svg, dir/scaling-worst.png/.svg, and
#        dir/scaling-large.png/.svg when scaling.csv has the large series

script = ARG0                          # this file, as gnuplot was given it
here = system("dirname '".script."'")  # its folder: common.gp is beside it
load here."/common.gp"
if (!file_exists(csv("scaling.csv"))) { exit error missing("scaling.csv") }
if (!exists("scaling_series")) { scaling_series = "random worst" }

height = height * 9 / 7          # four panels need more room than one chart
what_is(s) = \
    s eq "random" ? "random: N blocks of 16..512 bytes live, then free+malloc pairs" : \
    s eq "worst"  ? "worst: N small free chunks in front of every fit (first fit's worst case)" : \
    s eq "fixed"  ? "fixed: N blocks of 64 bytes live, then free+malloc pairs" : \
    s eq "large"  ? "large: N free chunks of 1..4 KiB between guards, then 8 KiB requests" : s
x_label(s) = s eq "worst" ? "small free chunks in front, N (log scale)" : "live blocks, N (log scale)"

# The panels: the column, its label and its title. Steps can be 0 (bins
# finds a fit at once; minimal never searches), which a log axis cannot
# show: steps are drawn + 1, so 0 steps sits on the bottom line at 1.
panel_column(p) = word("malloc_ns free_ns steps_per_malloc steps_per_free", p)
panel_shift(p) = p <= 2 ? 0 : 1
y_label(p) = p == 1 ? "ns per malloc, steady state (log scale)" : \
             p == 2 ? "ns per free, steady state (log scale)" : \
             p == 3 ? "steps per malloc + 1 (log scale)" : "steps per free + 1 (log scale)"
title_of(p) = p == 1 ? "time per malloc" : p == 2 ? "time per free" : \
              p == 3 ? "chunks examined per malloc" : "chunks examined per free"

# Where the panels go, in fractions of the page (0 bottom left, 1 top right):
# column c spans [left(c), right(c)], row r spans [bottom(r), top(r)]. The
# gaps hold tick labels, axis labels and panel titles; the strip above the
# top row holds the one key for all four panels.
left(c) = c == 1 ? 0.13 : 0.62
right(c) = c == 1 ? 0.47 : 0.97
bottom(r) = r == 1 ? 0.53 : 0.10
top(r) = r == 1 ? 0.77 : 0.36

set grid xtics ytics lt 1 lw 1 lc rgb "#d9d9d9"
set title font sprintf(",%d", font_size + 1)

do for [s in scaling_series] {
  if (s ne "large") {
    name = s eq "random" ? "scaling" : "scaling-".s
    do for [format in formats] {
        eval output(format, name)
        set multiplot title sprintf("Cost against the number of blocks\n%s", what_is(s)) \
            font sprintf(",%d", font_size + 4)
        set logscale xy
        set format x "%g"
        set format y "%g"
        set border 3
        set xtics nomirror out
        set ytics nomirror out
        unset key
        do for [p = 1:4] {
            # The step panels leave out the baselines: their steps are not
            # counted (empty in scaling.csv), and an empty line is a warning.
            drawn = p <= 2 ? allocators : heap_sections(allocators)
            set lmargin at screen left(2 - p % 2)
            set rmargin at screen right(2 - p % 2)
            set bmargin at screen bottom((p + 1) / 2)
            set tmargin at screen top((p + 1) / 2)
            set title title_of(p)
            set xlabel x_label(s)
            set ylabel y_label(p)
            # The rows of one allocator and series need not be adjacent nor in
            # order: smooth unique sorts the rows kept by N.
            plot for [i = 1:words(drawn)] csv("scaling.csv") \
                 using (strcol("allocator") eq word(drawn, i) && strcol("series") eq s \
                        ? column("live_blocks") : NaN):(column(panel_column(p)) + panel_shift(p)) \
                 smooth unique with linespoints lw 2.5 dt dash(word(drawn, i)) pt shape_of(word(drawn, i)) ps 1.3 \
                 lc rgb colour(word(drawn, i)) title word(drawn, i)
        }
        # The key alone, across the strip above the panels: an empty plot
        # whose only visible part is the key.
        set lmargin at screen 0.02
        set rmargin at screen 0.98
        set bmargin at screen 0.84
        set tmargin at screen 0.89
        unset logscale xy
        unset border
        unset tics
        unset title
        unset xlabel
        unset ylabel
        set xrange [0:1]
        set yrange [0:1]
        set key center center horizontal maxrows 1
        plot for [i = 1:words(allocators)] NaN with linespoints lw 2.5 pt shape(i) ps 1.3 \
             lc rgb colour(word(allocators, i)) title word(allocators, i)
        set autoscale xy
        unset multiplot
    }
    unset output
  }
}

# ---- the large series: bins' last bin ----------------------------------------
# One panel, one question: does a large malloc walk every large free chunk?
# The allocators with counted steps only (a baseline's are not counted:
# its rows have no steps). Steps are drawn + 1, as above.
has_large = system(sprintf("grep -q '^[^,]*,large,' '%s' && echo yes", csv("scaling.csv"))) eq "yes"
if (has_large) {
    height = height * 7 / 9          # back to one chart's height
    counted = heap_sections(allocators)
    # Undo what the four-panel charts set: their margins, ranges and key.
    set lmargin -1
    set rmargin -1
    set bmargin -1
    set tmargin -1
    set autoscale xy
    set grid xtics ytics lt 1 lw 1 lc rgb "#d9d9d9"
    set logscale xy
    set format x "%g"
    set format y "%g"
    set border 3
    set xtics nomirror out
    set ytics nomirror out
    set xlabel "large free chunks in front of the request, N (log scale)"
    set ylabel "chunks examined per malloc + 1 (log scale)"
    set key outside right top vertical maxrows auto opaque box
    set title font sprintf(",%d", font_size + 4)
    set title sprintf("bins' last bin is one list: a large malloc walks it\n%s", what_is("large"))
    do for [format in formats] {
        eval output(format, "scaling-large")
        plot for [i = 1:words(counted)] csv("scaling.csv") \
             using (strcol("allocator") eq word(counted, i) && strcol("series") eq "large" \
                    ? column("live_blocks") : NaN):(column("steps_per_malloc") + 1) \
             smooth unique with linespoints lw 2.5 pt shape_of(word(counted, i)) ps 1.3 \
             lc rgb colour(word(counted, i)) title word(counted, i)
    }
    unset output
}
