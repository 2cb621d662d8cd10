# peak-split.gp — where the peak footprint goes: for each chosen trace, a
# panel with one stacked bar per allocator, its peak footprint cut into the
# parts dmm-replay's split at the peak names (measure.c, docs/harness.md):
#
#   payload        what the program asked for and still holds
#   internal       internal fragmentation: allocated chunks beyond their
#                  payload (headers, footers, rounding, minimum sizes)
#   external       external fragmentation: free chunks, the pad included
#   metadata       the allocator's own bytes (segregated's page table and
#                  the leftovers of its runs)
#   never reused   freed chunks never handed out again (minimal, pad)
#   unwalked       what the heap checker's walk does not cover
#
# Each bar is 100% of that allocator's peak footprint, so the bars compare
# where the bytes go; the footprint itself (KiB) is written above each bar.
# A baseline (glibc, ...) has no split (its chunks cannot be walked) and
# no bar.
#
#   gnuplot -e "dir='build/report'" plots/peak-split.gp
#   gnuplot -e "dir='build/report'; split_traces='coalesce lifo-random'" plots/peak-split.gp
#
# Variables (-e): split_traces  the traces, one panel each (default: the
#                               first three of gcc-cc1, python-dict,
#                               random-random, realloc-growth in the report)
# Reads  dir/results.csv (by column name: allocator, trace, status,
#        peak_footprint_bytes and the at_peak_* columns), allocators.txt;
#        a trace that no allocator has a split for is left out, with a note
# Writes dir/peak-split.png/.svg

script = ARG0                          # this file, as gnuplot was given it
here = system("dirname '".script."'")  # its folder: common.gp is beside it
load here."/common.gp"
if (!file_exists(csv("results.csv"))) { exit error missing("results.csv") }

# The parts, bottom to top, their names in the key and their colours (Paul
# Tol's "bright" scheme: told apart with the common colour-vision
# deficiencies; the parts are not allocators, so not the allocators' colours).
parts = "at_peak_payload at_peak_internal at_peak_external at_peak_metadata at_peak_never_reused at_peak_unwalked"
part_title(k) = k == 1 ? "payload" : k == 2 ? "internal fragmentation" : \
                k == 3 ? "external fragmentation" : k == 4 ? "metadata" : \
                k == 5 ? "never reused" : "unwalked"
part_colour(k) = word("0x4477AA 0xEE6677 0xCCBB44 0xAA3377 0x66CCEE 0xBBBBBB", k) + 0

# Every column read must be in the header: a report written by an older
# dmm-replay (at_peak_overhead, at_peak_free) is named as such.
header = system(sprintf("head -n 1 '%s' | tr -d '\\r'", csv("results.csv")))
has_column(name) = strstrt(",".header.",", ",".name.",") > 0
do for [name in "allocator trace status peak_footprint_bytes ".parts] {
    if (!has_column(name)) {
        exit error sprintf("%s: %s has no column %s: write it again with this dmm-replay (dmm-compare)", \
                           script, csv("results.csv"), name)
    }
}

# A row is drawn when it is trace t's, ok, and split (a baseline's at_peak_*
# are empty, so not a number).
kept(t) = strcol("trace") eq t && strcol("status") eq "ok" \
          && strcol("at_peak_payload") ne "" && column("peak_footprint_bytes") > 0
part(k) = column(word(parts, k))
share_below(k) = k == 0 ? 0 : (sum [j = 1:k] part(j)) * 100.0 / column("peak_footprint_bytes")

# The allocators with a split for trace t, in report order. awk splits on
# commas: every column read comes before message, the only quoted one, or
# belongs to an ok row, whose message is empty.
have_split(t) = system(sprintf("awk -F, -v t='%s' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i } " \
    . "NR > 1 && $c[\"trace\"] == t && $c[\"status\"] == \"ok\" && $c[\"at_peak_payload\"] != \"\" " \
    . "{ print $c[\"allocator\"] }' '%s' | tr '\\n' ' '", t, csv("results.csv")))

# The traces: split_traces as given (one left out, with a note, when no
# allocator has a split for it); by default the first three of two real
# programs' recordings and two synthetic traces that the report has.
# (Not `traces`: dmm-compare sets that for fragmentation.gp, and five
# panels of nine bars are too narrow to read.)
drawn_traces = ""
if (exists("split_traces")) {
    do for [t in split_traces] {
        if (words(have_split(t)) > 0) {
            drawn_traces = drawn_traces." ".t
        } else {
            print sprintf("%s: no allocator has a split at the peak for %s in %s: left out", \
                          script, t, csv("results.csv"))
        }
    }
} else {
    split_traces = "gcc-cc1 python-dict random-random realloc-growth"
    do for [t in split_traces] {
        if (words(drawn_traces) < 3 && words(have_split(t)) > 0) { drawn_traces = drawn_traces." ".t }
    }
}
if (words(drawn_traces) == 0) {
    exit error sprintf("%s: nothing to draw: none of the traces (%s) has a split in %s", \
                       script, split_traces, csv("results.csv"))
}

set style fill solid 1.0 border rgb "#404040"
set boxwidth 0.7
set yrange [0:114]
set ytics 0, 20, 100
tick_font = sprintf(",%d", font_size - 2)
set xtics rotate by 90 right scale 0 font tick_font
set grid noxtics ytics

# The panels' plot areas share [plots_left, plots_right] of the width
# equally, whatever their tick labels; the key has the rest on the right.
plots_left = 0.08
plots_right = 0.74
panel_width = (plots_right - plots_left) / words(drawn_traces)

do for [format in formats] {
    eval output(format, "peak-split")
    set multiplot title "Where the peak footprint goes: each allocator's bytes at its peak, by kind"
    unset key
    set tmargin at screen 0.86
    set bmargin at screen 0.22
    do for [panel = 1:words(drawn_traces)] {
        t = word(drawn_traces, panel)
        set lmargin at screen plots_left + (panel - 1) * panel_width + 0.012
        set rmargin at screen plots_left + panel * panel_width - 0.012
        split_allocators = have_split(t)
        # x = the allocator's place among those drawn, in report order
        shown = ""
        do for [a in allocators] {
            if (strstrt(" ".split_allocators." ", " ".a." ") > 0) { shown = shown." ".a }
        }
        x_of(name) = sum [i = 1:words(shown)] (word(shown, i) eq name ? i : 0)
        set title t
        set xrange [0.4 : words(shown) + 0.6]
        set xtics ()
        do for [i = 1:words(shown)] { set xtics add (word(shown, i) i) }
        if (panel == 1) {
            set ylabel "share of the peak footprint (%)"
            set format y "%g"
        } else {
            unset ylabel
            set format y ""
        }
        # Tallest first: each part is drawn from 0 to its top, so the parts
        # below it, drawn after, cover all but its own share.
        plot for [k = words(parts):1:-1] csv("results.csv") \
                 using (kept(t) ? x_of(strcol("allocator")) : NaN):(kept(t) ? share_below(k) : NaN) \
                 with boxes fc rgb part_colour(k), \
             csv("results.csv") \
                 using (kept(t) ? x_of(strcol("allocator")) : NaN):(kept(t) ? 101 : NaN): \
                       (sprintf("%.0f", column("peak_footprint_bytes") / 1024.0)) \
                 with labels left rotate by 90 font sprintf(",%d", font_size - 5) textcolor rgb "#404040"
    }
    # The key alone, right of the panels: the parts top to bottom, as stacked.
    set lmargin at screen plots_right + 0.01
    set rmargin at screen 0.99
    unset title
    unset xtics
    unset ytics
    unset ylabel
    unset border
    unset grid
    set xrange [0:1]
    set yrange [0:1]
    set key center center vertical Left reverse opaque box lc rgb "#bbbbbb" samplen 1.5 spacing 1.3 \
        title "top to bottom"
    set label 1 "above a bar: its peak\nfootprint (KiB)" at graph 0.5, graph 0.12 center \
        font sprintf(",%d", font_size - 2) textcolor rgb "#404040"
    plot for [k = words(parts):1:-1] NaN with boxes fc rgb part_colour(k) title part_title(k)
    unset label 1
    unset multiplot
    set border 3 lw 1
    set ytics 0, 20, 100
    set grid ytics
}
unset output
