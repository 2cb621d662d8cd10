# syscalls.gp — how often each allocator asks the OS for memory: one group
# of bars per system call (brk, mmap, munmap), one bar per allocator, the
# calls summed over the bundled traces, with the count written on each bar.
#
#   gnuplot -e "dir='build/report'" plots/syscalls.gp
#
# Reads  dir/syscalls.csv (allocator,brk_calls,mmap_calls,munmap_calls), allocators.txt
# Writes dir/syscalls.png, dir/syscalls.svg
#
# Grouped by call rather than by allocator, so that each allocator keeps its
# colour, as in every other chart. A log axis, as minimal's thousands of brk
# calls stand beside the free lists' dozens; 0 calls cannot sit on it, so
# every bar is calls + 1 high (0 calls: no bar, and the label says 0). The
# counts are written upwards, so that neighbours' counts never overlap.

script = ARG0                          # this file, as gnuplot was given it
here = system("dirname '".script."'")  # its folder: common.gp is beside it
load here."/common.gp"
if (!file_exists(csv("syscalls.csv"))) { exit error missing("syscalls.csv") }

# The allocators with a row: the baselines have none (their system calls do
# not go through the heap section, so they are not counted); they are left
# out of the bars and of the key alike.
in_csv = system("tail -n +2 '".csv("syscalls.csv")."' | cut -d, -f1 | tr -d '\"\r' | tr '\n' ' '")
listed(name) = sum [j = 1:words(in_csv)] (word(in_csv, j) eq name ? 1 : 0)
drawn = ""
do for [i = 1:words(allocators)] {
    if (listed(word(allocators, i))) { drawn = drawn." ".word(allocators, i) }
}
if (words(drawn) == 0) { exit error sprintf("%s: %s has no allocator of %s", script, csv("syscalls.csv"), allocators) }

n = words(drawn)
bar = 0.8 / n                   # a group is 0.8 wide, centred on the call's x
# The allocator's place among those drawn, from 1; 0 when not drawn.
rank(name) = sum [i = 1:n] (word(drawn, i) eq name ? i : 0)
bar_x(k, name) = k - 1 + (rank(name) - (n + 1) / 2.0) * bar
shown(name) = rank(name) > 0 ? 1 : NaN

# The tallest bar, before the log axis exists (stats would drop the zeros,
# and a column of zeros would leave it nothing).
top = 1
do for [k = 2:4] {
    stats csv("syscalls.csv") using k nooutput
    top = STATS_max + 1 > top ? STATS_max + 1 : top
}

set title "How often does each allocator ask the OS for memory? (bundled traces; baselines not counted)"
set ylabel "calls + 1 (log scale)"
set xlabel "system call"
set logscale y
set format y "%g"
set yrange [1 : 10 ** ceil(log10(30 * top))]  # room above the tallest bar for its count
set xrange [-0.5 : 2.5]
set xtics ("brk" 0, "mmap" 1, "munmap" 2) scale 0
set style fill solid 1.0 border rgb "#404040"
set boxwidth bar absolute
set key outside right top vertical

do for [format in formats] {
    eval output(format, "syscalls")
    plot for [k = 1:3] csv("syscalls.csv") \
             using (bar_x(k, strcol(1))):(shown(strcol(1)) * (column(k + 1) + 1)):(colour(strcol(1))) \
             with boxes lc rgb variable notitle, \
         for [k = 1:3] csv("syscalls.csv") \
             using (bar_x(k, strcol(1))):(shown(strcol(1)) * (column(k + 1) + 1)):(sprintf("%d", column(k + 1))) \
             with labels rotate by 90 left offset 0, 0.4 font sprintf(",%d", font_size - 2) notitle, \
         for [i = 1:n] NaN with boxes lc rgb colour(word(drawn, i)) title word(drawn, i)
}
unset output
