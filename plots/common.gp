# common.gp — the look every dmm chart shares: the check that `dir` is set,
# the two output formats, fonts, grid, one fixed colour per allocator, and
# the list of allocators to draw.
#
# Each chart script loads this file from its own folder, after it has
# worked out that folder from ARG0 (the script's path as gnuplot was given
# it), so the scripts run from any working directory:
#
#   script = ARG0                          # the chart script's path
#   here = system("dirname '".script."'")  # its folder
#   load here."/common.gp"
#
# Restyle every chart at once here: fonts and sizes in "the terminals",
# colours in "one colour per allocator" (plots/README.md has examples).

# ---- the report folder ------------------------------------------------------

# dir is the report folder (dmm-compare's build/report, or any folder with
# the same CSV files). It is the only input; every output is written there.
if (!exists("dir")) {
    exit error sprintf("dir is not set: run  gnuplot -e \"dir='build/report'\" %s", script)
}
if (system(sprintf("test -d '%s' && echo yes", dir)) ne "yes") {
    exit error sprintf("%s: dir='%s' is not a folder (it must be a report folder made by dmm-compare)", script, dir)
}

csv(name) = dir."/".name
file_exists(path) = system(sprintf("test -r '%s' && echo yes", path)) eq "yes"
missing(name) = sprintf("%s: %s is missing: dir must be a report folder made by dmm-compare", script, csv(name))

# The allocators to draw, in report order: as given with -e "allocators='...'"
# (dmm-compare passes them), else as dmm-compare wrote them in
# allocators.txt, else the columns of time-wide.csv (a folder assembled by
# hand): the report's own names, never a list retyped here.
if (!exists("allocators")) {
    allocators = file_exists(csv("allocators.txt")) ? system("cat '".dir."/allocators.txt'") : ""
}
if (words(allocators) == 0 && file_exists(csv("time-wide.csv"))) {
    allocators = system("head -n 1 '".dir."/time-wide.csv' | tr -d '\\r' | cut -d, -f2- | tr , ' '")
}
if (words(allocators) == 0) {
    exit error missing("allocators.txt")
}

# ---- one colour per allocator -------------------------------------------------

# Fixed per name, so an allocator looks the same in every chart whichever
# others are in the report. Thirteen series (the nine allocators and four
# baselines) need thirteen colours that no two can be mistaken for each
# other: they come from Kelly's 22 colours of maximum contrast (K. L. Kelly,
# "Twenty-two colors for maximum contrast", Color Engineering 3(6), 1965),
# the 13 of them whose smallest pairwise distance is the largest (about 31
# CIE76 units in CIELAB; check_plots.c measures it from this function, and
# plots/README.md lists them). White and Kelly's grey are left out: white is
# the page, grey is for an unknown name (a student's `mine`, a module path).
# Warm for the two that never reuse memory, blues and greens for the free
# lists; the baselines take black and the pale ones and are also drawn
# hatched, dashed or with filled points (baseline() below), so that they
# stay apart from the allocators in grey print too.
colour(name) = \
    name eq "minimal"    ? 0xBE0032 : \
    name eq "pad"        ? 0xF38400 : \
    name eq "unsorted"   ? 0x8DB600 : \
    name eq "list"       ? 0xA1CAF1 : \
    name eq "dlist"      ? 0x0067A5 : \
    name eq "bins"       ? 0x008856 : \
    name eq "mmap"       ? 0xE68FAC : \
    name eq "gnu"        ? 0x875692 : \
    name eq "segregated" ? 0x654522 : \
    name eq "glibc"      ? 0x222222 : \
    name eq "jemalloc"   ? 0xC2B280 : \
    name eq "mimalloc"   ? 0xF3C300 : \
    name eq "tcmalloc"   ? 0xF99379 : \
                           0x848482

# The production allocators the report runs beside the lecture's: drawn
# with a second cue besides the colour (hatched bars, dashed lines, filled
# points), and left out of the charts whose figures they do not have.
baseline(name) = name eq "glibc" || name eq "jemalloc" || name eq "mimalloc" || \
                 name eq "tcmalloc" ? 1 : 0

# Bars: solid for an allocator, hatched for a baseline (fs pattern 4:
# diagonal lines in the bar's colour, on white; time.gp, cold.gp, space.gp
# draw the two kinds as two series). Lines: the dash type of a series,
# solid for an allocator, dashed for a baseline (plot ... dt dash(name)).
dash(name) = baseline(name) ? 2 : 1

# The words of list (space-separated) that are not baselines, in order: the
# allocators that have heap-section figures (system calls, steps, heap maps).
heap_sections(list) = heap_from(list, 1)
heap_from(list, i) = i > words(list) ? "" : \
    (baseline(word(list, i)) ? "" : word(list, i)." ").heap_from(list, i + 1)

# The same hue at `share` of its brightness (0.6: headers and footers).
shade(c, share) = (int(((c >> 16) & 255) * share) << 16) \
                + (int(((c >> 8) & 255) * share) << 8) \
                +  int((c & 255) * share)

# A point shape per allocator too, fixed per name, so the scatter reads in
# grey print: open shapes or strokes for the allocators, so points that
# coincide (minimal and pad) stay visible; filled shapes for the baselines.
shape_of(name) = \
    name eq "minimal"    ? 6 : name eq "pad"      ? 4 : name eq "unsorted" ? 3 : \
    name eq "list"       ? 8 : name eq "dlist"    ? 10 : name eq "bins"    ? 12 : \
    name eq "mmap"       ? 14 : name eq "gnu"     ? 1 : name eq "segregated" ? 2 : \
    name eq "glibc"      ? 7 : name eq "jemalloc" ? 5 : name eq "mimalloc" ? 9 : \
    name eq "tcmalloc"   ? 13 : 11
# The shape of the i-th allocator of the report (the scripts loop over i).
shape(i) = shape_of(word(allocators, i))

# The place of an allocator in the report's order, from 1; 0 when it is not
# in `allocators` (a chart draws only those).
place(name) = sum [i = 1:words(allocators)] (word(allocators, i) eq name ? i : 0)
# An axis label: the name, and "(baseline)" under it for a baseline.
tic_of(name) = baseline(name) ? name . "\n(baseline)" : name
# A figure to print on a chart: no decimals from 10 up, one below, no exponent.
figure(x) = x < 10 ? sprintf("%.1f", x) : sprintf("%.0f", x)

# ---- the terminals ----------------------------------------------------------

# Every chart is written twice: PNG for slides, SVG for the web page. A chart
# script plots inside
#     do for [format in formats] { eval output(format, "NAME"); plot ... }
#     unset output
# (unset output closes the last file). Each setting below can be given with
# -e instead, e.g. -e "dir='build/report'; font_size=20; formats='png'".
if (!exists("formats")) { formats = "png svg" }
if (!exists("width")) { width = 1200 }          # pixels (SVG: its user units)
if (!exists("height")) { height = 700 }         # pixels; scaling.gp's 2 x 2 panels take 9/7 of it
if (!exists("font_name")) { font_name = "sans-serif" }
if (!exists("font_size")) { font_size = 15 }    # points; titles 5 more, bar counts 2 less

output(format, name) = format eq "png" \
    ? sprintf("set terminal pngcairo size %d,%d noenhanced font '%s,%d' linewidth 1.5; set output '%s.png'", \
              width, height, font_name, font_size, csv(name)) \
    : sprintf("set terminal svg size %d,%d dynamic noenhanced font '%s,%d' linewidth 1.5 background rgb 'white'; set output '%s.svg'", \
              width, height, font_name, font_size, csv(name))

# ---- the look ---------------------------------------------------------------

set datafile separator ","
set datafile columnheaders      # every report CSV has a header row
# A script keeps the rows it wants and turns the others into NaN; as
# "missing" (not undefined) they do not break a line between kept rows.
set datafile missing NaN
set title font sprintf(",%d", font_size + 5)
set border 3 lw 1
set tics nomirror out
set grid ytics lt 1 lw 1 lc rgb "#d9d9d9"
set key noautotitle
set key opaque box lc rgb "#bbbbbb" reverse Left samplen 1.5 spacing 1.2
