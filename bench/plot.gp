# SPDX-License-Identifier: MIT
# Plots of a vhbench report: gnuplot -e "dir='build/bench'" bench/plot.gp
if (!exists("dir")) dir = 'build/bench'
set terminal pngcairo size 1200,650 font "DejaVu Sans,11" noenhanced
set datafile missing "nan"

# Time per alloc+free pair relative to glibc, per case.
set output dir.'/ratio.png'
set title "Time per alloc+free pair relative to glibc malloc (median of same-round ratios; lower is better)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set logscale y 2
set yrange [0.03:*]
set ylabel "ratio to glibc (log scale)"
set xtics rotate by -25 nomirror
set grid ytics
set key top left
set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead dt 2 lw 1.5 lc rgb "black" front
plot dir.'/ratio.dat' using 2:xtic(1) title columnheader(2) lc rgb "#d62728", \
     '' using 3 title columnheader(3) lc rgb "#7f7f7f", \
     '' using 4 title columnheader(4) lc rgb "#1f77b4", \
     '' using 5 title columnheader(5) lc rgb "#2ca02c", \
     '' using 6 title columnheader(6) lc rgb "#ff7f0e"

# Instructions per call against heap size.
reset
set terminal pngcairo size 1000,700 font "DejaVu Sans,11" noenhanced
set datafile missing "nan"
set output dir.'/icount.png'
set title "vheap instructions per call (callgrind) against heap size"
set logscale x 2
set xtics ("1 MiB" 1, "64 MiB" 64, "1 GiB" 1024)
set xrange [0.7:1500]
set yrange [0:*]
set ylabel "instructions per call"
set xlabel "heap (region) size"
set grid
set key outside below maxrows 4 width 2
plot dir.'/icount.dat' using 1:2 with linespoints lw 2 pt 7 lc rgb "#1f77b4" title "churn (200 live) slab alloc, mean", \
     '' using 1:3 with linespoints lw 1 dt 2 pt 6 lc rgb "#1f77b4" title "churn (200 live) slab alloc, max", \
     '' using 1:4 with linespoints lw 2 pt 5 lc rgb "#2ca02c" title "churn (200 live) slab free, mean", \
     '' using 1:5 with linespoints lw 1 dt 2 pt 4 lc rgb "#2ca02c" title "churn (200 live) slab free, max", \
     '' using 1:6 with linespoints lw 2 pt 9 lc rgb "#d62728" title "worst case buddy alloc (full split)", \
     '' using 1:8 with linespoints lw 2 pt 11 lc rgb "#ff7f0e" title "worst case buddy free (full merge)", \
     150 with lines dt 3 lc rgb "black" title "target: buddy <= 150", \
     40 with lines dt 4 lc rgb "gray40" title "target: slab alloc mean <= 40"
