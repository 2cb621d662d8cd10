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
# every bar is calls + 1 high (0 calls: no bar, and the label says 0).

script = ARG0                          # this file, as gnuplot was given it
here = system("dirname '".script."'")  # its folder: common.gp is beside it
load here."/common.gp"
if (!file_exists(csv("syscalls.csv"))) { exit error missing("syscalls.csv") }

n = words(allocators)
bar = 0.8 / n                   # a group is 0.8 wide, centred on the call's x
# The allocator's place in report order, from 1; 0 when not in the report.
rank(name) = sum [i = 1:n] (word(allocators, i) eq name ? i : 0)
bar_x(k, name) = k - 1 + (rank(name) - (n + 1) / 2.0) * bar
shown(name) = rank(name) > 0 ? 1 : NaN

# The tallest bar, before the log axis exists (stats would drop the zeros,
# and a column of zeros would leave it nothing).
top = 1
do for [k = 2:4] {
    stats csv("syscalls.csv") using k nooutput
    top = STATS_max + 1 > top ? STATS_max + 1 : top
}

set title "System calls for memory, summed over the bundled traces"
set ylabel "calls + 1 (log scale)"
set xlabel "system call"
set logscale y
set format y "%g"
set yrange [1 : 10 ** ceil(log10(3 * top))]   # the decade above, with room for the count
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
             with labels offset 0, 0.7 font sprintf(",%d", font_size - 2) notitle, \
         for [i = 1:n] NaN with boxes lc rgb colour(word(allocators, i)) title word(allocators, i)
}
unset output
