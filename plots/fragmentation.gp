# fragmentation.gp — footprint over time: for each chosen trace, one chart
# of the footprint (the memory the allocator holds from the OS) after each
# operation, one line per allocator, and the live payload (what the program
# asked for and still holds) once, in black: it is the same for every
# allocator. The gap between an allocator's line and the black one is its
# overhead and fragmentation at that moment.
#
#   gnuplot -e "dir='build/report'" plots/fragmentation.gp
#   gnuplot -e "dir='build/report'; traces='coalesce first-fit-worst'" plots/fragmentation.gp
#
# Variables (-e): traces  the traces to draw (default "random-random realloc-growth")
#                 logy    "auto" (default): log y when the largest footprint is
#                         over 20 x the peak live payload, else linear; "yes"; "no"
# Reads  dir/series/ALLOCATOR--TRACE.csv (op,live_bytes,footprint_bytes), allocators.txt;
#        an allocator without a series file for the trace is left out, with a note
# Writes dir/fragmentation-TRACE.png/.svg for each trace

script = ARG0                          # this file, as gnuplot was given it
here = system("dirname '".script."'")  # its folder: common.gp is beside it
load here."/common.gp"
if (!exists("traces")) { traces = "random-random realloc-growth" }
if (!exists("logy")) { logy = "auto" }

series(allocator, trace) = csv(sprintf("series/%s--%s.csv", allocator, trace))

set xlabel "operation (index in the trace)"
set format y "%g"
set key outside right top vertical
set grid xtics ytics lt 1 lw 1 lc rgb "#d9d9d9"

do for [trace in traces] {
    # The allocators that ran this trace, and the largest values, for the units.
    drawn = ""
    top_footprint = 0
    top_live = 0
    # The baselines have no series (theirs would come from the checking
    # pass, where glibc's statistics also hold the harness's memory): they
    # are left out of these charts, and of their keys, without a note.
    do for [allocator in heap_sections(allocators)] {
        if (file_exists(series(allocator, trace))) {
            drawn = drawn." ".allocator
            stats series(allocator, trace) using 2:3 nooutput
            top_live = STATS_max_x > top_live ? STATS_max_x : top_live
            top_footprint = STATS_max_y > top_footprint ? STATS_max_y : top_footprint
        } else {
            print sprintf("%s: no %s, %s left out of fragmentation-%s", \
                          script, series(allocator, trace), allocator, trace)
        }
    }
    if (words(drawn) == 0) {
        exit error sprintf("%s: no series for trace %s in %s/series (dmm-replay --series)", script, trace, dir)
    }

    # MiB from 2 MiB up, else KiB: tick labels stay short numbers.
    unit_bytes = top_footprint >= 2 * 1024 * 1024 ? 1024 * 1024 : 1024
    unit_name = unit_bytes == 1024 ? "KiB" : "MiB"
    log_axis = logy eq "yes" || (logy eq "auto" && top_live > 0 && top_footprint > 20 * top_live)
    if (log_axis) {
        set logscale y
        set yrange [*:*]
        set ylabel sprintf("bytes (%s, log scale)", unit_name)
    } else {
        unset logscale y
        set yrange [0:*]
        set ylabel sprintf("bytes (%s)", unit_name)
    }
    set title sprintf("How does the footprint grow? Footprint and live payload over %s", trace)
    # 0 bytes has no place on a log axis: such samples (the start, the end) are left out.
    scaled(bytes) = log_axis && bytes <= 0 ? NaN : bytes / unit_bytes
    first = word(drawn, 1)

    # Lines that coincide (minimal and pad hold the same memory) stay visible:
    # every second line is thin, so it shows inside the thick one before it.
    do for [format in formats] {
        eval output(format, "fragmentation-".trace)
        plot for [i = 1:words(drawn)] series(word(drawn, i), trace) \
                 using 1:(scaled($3)) with lines lw (i % 2 ? 4.5 : 2) lc rgb colour(word(drawn, i)) \
                 title word(drawn, i)." footprint", \
             series(first, trace) using 1:(scaled($2)) with lines lw 2.5 lc rgb "black" \
                 title "live payload"
    }
    unset output
}
