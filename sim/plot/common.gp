# Shared look of the simulator's plots (PNG, small enough for the docs).
set terminal pngcairo size 820,480 font 'DejaVu Sans,10' noenhanced
set datafile separator ','
set grid
set key top left
set logscale x
set format x '%.0s%c'
set xlabel 'crowd size (peers on-line)'
set style line 1 lc rgb '#1b9e77' lw 2 pt 7
set style line 2 lc rgb '#d95f02' lw 2 pt 5
set style line 3 lc rgb '#7570b3' lw 2 pt 9
set style line 4 lc rgb '#444444' lw 1 dt 2
rows(s) = sprintf("< grep ',%s,' '%s'", s, csv)
