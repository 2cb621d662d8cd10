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
# others are in the report. The six of the lecture come from the Okabe-Ito
# palette (told apart with every common colour-vision deficiency): the two
# that never reuse memory are warm, the free lists cool, mmap pink. Later
# allocators and the system baselines take Paul Tol's muted colours. An
# unknown name (a student's `mine`, a module path) is neutral grey.
colour(name) = \
    name eq "minimal"    ? 0xD55E00 : \
    name eq "pad"        ? 0xE69F00 : \
    name eq "list"       ? 0x56B4E9 : \
    name eq "dlist"      ? 0x0072B2 : \
    name eq "bins"       ? 0x009E73 : \
    name eq "mmap"       ? 0xCC79A7 : \
    name eq "gnu"        ? 0x882255 : \
    name eq "segregated" ? 0x117733 : \
    name eq "glibc"      ? 0x332288 : \
    name eq "jemalloc"   ? 0x999933 : \
    name eq "mimalloc"   ? 0x44AA99 : \
    name eq "tcmalloc"   ? 0xAA4499 : \
                           0x888888

# The same hue at `share` of its brightness (0.6: headers and footers).
shade(c, share) = (int(((c >> 16) & 255) * share) << 16) \
                + (int(((c >> 8) & 255) * share) << 8) \
                +  int((c & 255) * share)

# A point shape per allocator too, so the scatter reads in grey print; open
# shapes, so points that coincide (minimal and pad) stay visible.
shape(i) = word("6 4 8 10 12 14 1 2 3 6 4 8", (i - 1) % 12 + 1) + 0

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
