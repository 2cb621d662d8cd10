# heapmap.gp — the lecture's demo sequence (traces/lecture-demo.trace) drawn
# as the slides draw it: for each heap-based allocator, one row per step,
# step 1 at the top, labelled with the step's operation; along the row the
# heap as the allocator's checker walks it after that step: allocated
# chunks in the allocator's colour, free chunks white, headers and footers
# as darker slices at the chunk's ends.
#
#   gnuplot -e "dir='build/report'" plots/heapmap.gp
#   gnuplot -e "dir='build/report'; heap_allocators='list bins'" plots/heapmap.gp
#
# Variables (-e): heap_allocators  the allocators to draw (default
#                 "minimal pad list dlist bins": those with one heap section)
# Reads  dir/heapmap/ALLOCATOR.csv (step,op,start,size,header_bytes,
#        footer_bytes,is_free; start in bytes from the lowest chunk);
#        an allocator without one is left out, with a note
# Writes dir/heapmap-ALLOCATOR.png/.svg for each
#
# The x axis shows only where the demo happens. A heap grows by 8 KiB (the
# pad, MIN_GROW) for a demo whose chunks add up to a few hundred bytes, so
# drawn to scale the chunks would be slivers beside one huge free chunk. The
# axis therefore runs from a little before the lowest allocated chunk to a
# little after the highest one end (never past the heap's two ends); a free
# chunk that reaches beyond is cut at the edge, and its label gives its
# whole size and where it goes ("... to the break", "from the heap start
# ..."). Every x position is still the chunk's true offset in bytes; only
# the empty ends of the heap are left out. A broken axis would show the same
# with more ink and less room for the chunks.

script = ARG0                          # this file, as gnuplot was given it
here = system("dirname '".script."'")  # its folder: common.gp is beside it
load here."/common.gp"
if (!exists("heap_allocators")) { heap_allocators = "minimal pad list dlist bins" }

map(allocator) = csv(sprintf("heapmap/%s.csv", allocator))
free_fill = 0xFFFFFF
free_slice = 0xC8C8C8           # headers and footers of free chunks
half_row = 0.34                 # a chunk's height is 2 x half_row of the 1 between rows

set xlabel "bytes from the start of the heap"
set ylabel ""
set grid noytics xtics
set ytics scale 0
set xtics nomirror out
set border 1
set style fill solid 1.0 border lc rgb "#303030"
unset key                       # drawn by hand below: gnuplot's key misjudges the text widths
set bmargin 6                   # room under the x label for it

drawn = 0
do for [allocator in heap_allocators] {
  if (!file_exists(map(allocator))) {
    print sprintf("%s: no %s, %s left out", script, map(allocator), allocator)
  } else {
    drawn = drawn + 1
    # The heap's extent and where the allocated chunks lie (stats obeys the
    # ranges, so the last chart's are undone first).
    set autoscale xy
    stats map(allocator) using 1:($3 + $4) nooutput
    steps = STATS_max_x
    heap_end = STATS_max_y
    low = 0
    high = heap_end
    stats map(allocator) using ($7 == 0 ? $3 : NaN):($7 == 0 ? $3 + $4 : NaN) nooutput
    if (STATS_records > 0) {
      low = STATS_min_x
      high = STATS_max_y
    }
    stats map(allocator) using 5:6 nooutput
    has_header = STATS_max_x > 0    # 0: no headers to draw (minimal, pad)
    has_footer = STATS_max_y > 0    # 0: no footers to draw (minimal, pad, list)
    has_headers = has_header || has_footer
    stats map(allocator) using 7 nooutput
    has_free = STATS_max > 0        # 0: no free entry in the key (minimal)
    # The window: 40% of the allocated span (at least 64 bytes) each side,
    # rounded to 16 bytes; a cut that would hide little is not made.
    margin = 16 * ceil((high - low) * 0.4 / 16)
    margin = margin < 64 ? 64 : margin
    left = low - margin <= 2 * margin ? 0 : low - margin
    right = heap_end - (high + margin) <= 2 * margin ? heap_end : high + margin

    # A header or footer layer is drawn only with one inside the window (an
    # empty layer is a gnuplot warning: gnu's footers can all lie outside).
    stats map(allocator) using ($5 > 0 && $3 >= left ? 1 : 0):($6 > 0 && $3 + $4 <= right ? 1 : 0) nooutput
    header_seen = has_header && STATS_sum_x > 0
    footer_seen = has_footer && STATS_sum_y > 0

    cut_start(s) = s < left ? left : s
    cut_end(e) = e > right ? right : e
    seen(s, e) = cut_end(e) > cut_start(s) ? 1 : NaN
    fill(is_free) = is_free != 0 ? free_fill : colour(allocator)
    slice(is_free) = is_free != 0 ? free_slice : shade(colour(allocator), 0.6)
    # A chunk's label, at the middle of its payload: its size, and for a cut
    # chunk where the rest of it is. Shorter, or none, when the visible part
    # is too narrow for the text (widths as shares of the window).
    share(s, e) = (cut_end(e) - cut_start(s)) / (right - left)
    # (pad.c calls its free chunk the pad.)
    free_word = allocator eq "pad" ? "pad" : "free"
    cut_label(s, n) = \
        s < left && s + n > right ? sprintf("... %s: %d bytes ...", free_word, n) : \
        s < left ? sprintf("... %s: %d bytes from the heap start", free_word, n) : \
                   sprintf("%s: %d bytes, on to the break ...", free_word, n)
    label(s, n, h, f) = \
        s < left || s + n > right \
            ? (share(s, s + n) > 0.45 ? cut_label(s, n) : \
               share(s, s + n) > 0.12 ? sprintf("%s%s: %d%s", s < left ? "... " : "", free_word, n, \
                                                s + n > right ? " ..." : "") : "...") \
            : (share(s + h, s + n - f) > 0.03 ? sprintf("%d", n) : "")
    label_x(s, n, h, f) = s < left || s + n > right \
        ? (cut_start(s) + cut_end(s + n)) / 2 : s + h + (n - h - f) / 2.0

    # Sizes on allocated chunks: white on dark colours, near-black on light
    # ones (relative luminance of the sRGB components, roughly).
    c = colour(allocator)
    ink = 0.2126 * ((c >> 16) & 255) + 0.7152 * ((c >> 8) & 255) + 0.0722 * (c & 255) > 0.55 * 255 \
        ? 0x202020 : 0xFFFFFF

    # The key, by hand: a swatch and a name per entry, centred under the x label.
    unset object
    unset label
    key_colours = sprintf("%d %d %d %d", colour(allocator), free_fill, \
                          shade(colour(allocator), 0.6), free_slice)
    key_name(k) = k == 1 ? "allocated" : k == 2 ? (allocator eq "pad" ? "free: the pad" : "free") : \
                  k == 3 ? (has_footer ? "header, footer" : "header") : \
                           (has_footer ? "header, footer (free)" : "header (free)")
    key_entries = "1".(has_free ? " 2" : "").(has_headers ? " 3" : "").(has_headers && has_free ? " 4" : "")
    n = words(key_entries)
    do for [j = 1:n] {
        k = word(key_entries, j) + 0
        x = 0.5 - n * 0.2 / 2 + (j - 1) * 0.2 + 0.02
        set object k rectangle from screen x, 0.025 to screen x + 0.03, 0.06 \
            fc rgb (word(key_colours, k) + 0) fs solid 1.0 border lc rgb "#303030"
        set label k key_name(k) at screen x + 0.04, 0.0425 left
    }

    # Without headers the checker cannot tell the chunks apart: say so, as
    # the chart then shows one allocated region, not the five chunks.
    set title sprintf("%s: the lecture's demo, step by step%s", allocator, has_headers ? "" : \
        "\n(no headers: the checker sees everything handed out as one region)")
    set xrange [left:right]
    set yrange [steps + 0.6 : 0.4]
    # The layers, as plot clauses: the chunks (with the row labels), their
    # headers, their footers, their sizes. A layer with no points at all is
    # a gnuplot warning, so headers and footers join only when there are any.
    chunks = 'map(allocator) using ((cut_start($3) + cut_end($3 + $4)) / 2):($1 * seen($3, $3 + $4)) \
        :(cut_start($3)):(cut_end($3 + $4)):($1 - half_row):($1 + half_row):(fill($7)) \
        :ytic(sprintf("%d   %s", $1, strcol(2))) with boxxyerror lc rgb variable notitle'
    headers = 'map(allocator) using ($3 + $5 / 2):($5 > 0 && $3 >= left ? $1 : NaN) \
        :($3):($3 + $5):($1 - half_row):($1 + half_row):(slice($7)) \
        with boxxyerror lc rgb variable notitle'
    footers = 'map(allocator) using ($3 + $4 - $6 / 2):($6 > 0 && $3 + $4 <= right ? $1 : NaN) \
        :($3 + $4 - $6):($3 + $4):($1 - half_row):($1 + half_row):(slice($7)) \
        with boxxyerror lc rgb variable notitle'
    sizes = 'map(allocator) using (label_x($3, $4, $5, $6)):($1 * seen($3, $3 + $4)) \
        :(label($3, $4, $5, $6)):($7 != 0 ? 0x404040 : ink) \
        with labels tc rgb variable font sprintf(",%d", font_size - 2) notitle'
    layers = chunks.(header_seen ? ", ".headers : "").(footer_seen ? ", ".footers : "").", ".sizes
    do for [format in formats] {
      eval output(format, "heapmap-".allocator)
      eval "plot ".layers
    }
    unset output
  }
}
if (drawn == 0) {
    exit error sprintf("%s: no heap map in %s/heapmap for any of: %s", script, dir, heap_allocators)
}
