# policies.gp — one allocator across its placement policies (dmm-compare
# --policies NAME; allocators/policy.h): which fit and which free-list order
# searches least, which wastes least memory, and how the search grows with
# the number of blocks. One chart per question; in every chart the colour is
# the fit (first, next, best, worst) and the order is written under the bar
# or drawn as the line's dash and point.
#
#   gnuplot -e "dir='build/policies'" plots/policies.gp
#   gnuplot -e "dir='build/policies'; policies_series='large'" plots/policies.gp
#
# Variables (-e): policies_series  the scaling series to draw, one chart each
#                 (default "random worst"; fixed and large are there too)
# Reads  dir/policies.csv (one row per policy: fit,order,...,steps_per_malloc,
#        utilization,...,allocator,policy,label), dir/policies-pairs.csv (one
#        row per pair: fit,order,trace,series,live_blocks,...), dir/allocators.txt
# Writes dir/policies-steps.png/.svg, dir/policies-utilization.png/.svg,
#        dir/policies-scaling-SERIES.png/.svg for each series

script = ARG0                          # this file, as gnuplot was given it
here = system("dirname '".script."'")  # its folder: common.gp is beside it
load here."/common.gp"
if (!file_exists(csv("policies.csv"))) { exit error missing("policies.csv") }
if (!file_exists(csv("policies-pairs.csv"))) { exit error missing("policies-pairs.csv") }
if (!exists("policies_series")) { policies_series = "random worst" }
# The allocator, from policies.csv's allocator column (one name for every row).
allocator = system(sprintf("awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == \"allocator\") c = i } NR == 2 && c { print $c }' '%s'", \
                           csv("policies.csv")))

# The colour of a fit, the dash and point of an order: four and three cues
# that stay apart (the fits take four of common.gp's contrasting colours).
fit_colour(f) = f eq "first" ? 0x0067A5 : f eq "next" ? 0xF38400 : \
                f eq "best" ? 0x008856 : f eq "worst" ? 0xBE0032 : 0x848482
order_dash(o) = o eq "address" ? 1 : o eq "lifo" ? 2 : o eq "size" ? 4 : 5
order_point(o) = o eq "address" ? 6 : o eq "lifo" ? 4 : o eq "size" ? 8 : 12
# A policy as text: on two lines under a bar, on one in a key. An empty
# part (a choice the allocator does not offer) is left out.
policy_text(f, o, sep) = (f eq "" ? "" : "fit=".f).(f ne "" && o ne "" ? sep : "") \
                         .(o eq "" ? "" : "order=".o)

# The variants in policies.csv's order, as words ("-": a part not offered),
# and the fits once each, for the key.
column_words(n) = system(sprintf("tail -n +2 '%s' | cut -d, -f%d | sed 's/^$/-/' | tr '\\n' ' '", \
                                 csv("policies.csv"), n))
variant_fits = column_words(1)
variant_orders = column_words(2)
fits = system(sprintf("tail -n +2 '%s' | cut -d, -f1 | awk 'NF && !seen[$0]++' | tr '\\n' ' '", \
                      csv("policies.csv")))
part(w) = w eq "-" ? "" : w
variants = words(variant_fits)
if (variants == 0) { exit error sprintf("%s: %s has no policy rows", script, csv("policies.csv")) }

# The bars: one per policy, grouped by fit (a gap between groups), the fit
# told by the colour and the key, the order written under the bar (the fit
# when the allocator offers no order).
fit_group(f) = f eq word(fits, 1) ? 0 : f eq word(fits, 2) ? 1 : f eq word(fits, 3) ? 2 : 3
bar_x(row, f) = row + 0.5 * fit_group(f)
bar_tic(f, o) = o ne "" ? o : "fit=".f
set style fill solid 1.0 border rgb "#404040"
set boxwidth 0.7
set xrange [-0.6:variants - 0.4 + 0.5 * (words(fits) - 1)]
set xtics nomirror out scale 0
set xlabel "free-list order (the colour is the fit)"
set key tmargin center horizontal

# ---- which policy searches least ---------------------------------------------------
set logscale y
set yrange [1:*]
set format y "%g"
set ylabel "chunks examined per malloc + 1 (log scale)"
set title sprintf("Which policy searches least? %s: chunks examined per malloc,\nthe mean over the traces", \
                  allocator)
do for [format in formats] {
    eval output(format, "policies-steps")
    plot csv("policies.csv") using (bar_x($0, strcol("fit"))):(column("steps_per_malloc") + 1):(fit_colour(strcol("fit"))): \
             xtic(bar_tic(strcol("fit"), strcol("order"))) \
             with boxes lc rgb variable notitle, \
         '' using (bar_x($0, strcol("fit"))):(column("steps_per_malloc") + 1):(sprintf("%.1f", column("steps_per_malloc"))) \
             with labels offset 0,0.8 font sprintf(",%d", font_size - 2) notitle, \
         for [f in fits] NaN with boxes lc rgb fit_colour(f) title "fit=".f
}
unset output
unset logscale y

# ---- which policy wastes least memory -------------------------------------------------
set yrange [0:105]
set ylabel "utilization: peak live payload / peak footprint (%)"
set title sprintf("Which policy wastes least memory? %s: utilization,\nthe mean over the traces (higher is better)", \
                  allocator)
do for [format in formats] {
    eval output(format, "policies-utilization")
    plot csv("policies.csv") using (bar_x($0, strcol("fit"))):(100 * column("utilization")):(fit_colour(strcol("fit"))): \
             xtic(bar_tic(strcol("fit"), strcol("order"))) \
             with boxes lc rgb variable notitle, \
         '' using (bar_x($0, strcol("fit"))):(100 * column("utilization")):(sprintf("%.0f%%", 100 * column("utilization"))) \
             with labels offset 0,0.8 font sprintf(",%d", font_size - 2) notitle, \
         for [f in fits] NaN with boxes lc rgb fit_colour(f) title "fit=".f
}
unset output

# ---- how the search grows with the number of blocks -----------------------------------
series_text(s) = \
    s eq "random" ? "random: N blocks of 16..512 bytes live, then free+malloc pairs" : \
    s eq "worst"  ? "worst: N small free chunks in front of every fit" : \
    s eq "fixed"  ? "fixed: N blocks of 64 bytes live, then free+malloc pairs" : \
    s eq "large"  ? "large: N free chunks of 1..4 KiB, then 8 KiB requests" : s
set autoscale xy
set logscale xy
set xrange [*:*]
set format x "%g"
set xtics scale 1
set grid xtics ytics lt 1 lw 1 lc rgb "#d9d9d9"
set xlabel "blocks, N (log scale)"
set ylabel "chunks examined per malloc + 1 (log scale)"
set key outside right top vertical
do for [s in policies_series] {
    set title sprintf("How does the search grow with N? %s\n%s", allocator, series_text(s))
    do for [format in formats] {
        eval output(format, "policies-scaling-".s)
        plot for [i = 1:variants] csv("policies-pairs.csv") \
             using (strcol("series") eq s && strcol("fit") eq part(word(variant_fits, i)) \
                    && strcol("order") eq part(word(variant_orders, i)) \
                    ? column("live_blocks") : NaN):(column("steps_per_malloc") + 1) \
             smooth unique with linespoints lw 2.5 ps 1.3 \
             lc rgb fit_colour(part(word(variant_fits, i))) \
             dt order_dash(part(word(variant_orders, i))) \
             pt order_point(part(word(variant_orders, i))) \
             title policy_text(part(word(variant_fits, i)), part(word(variant_orders, i)), ",")
    }
    unset output
}
