# Time from request to last byte, p50 (solid) and p99 (dashed), per strategy.
load plotdir.'/common.gp'
set output out
set logscale y
set ylabel 'time to resource (ms)'
set title 'Time to resource vs crowd size (solid p50, dashed p99)'
plot rows('tracker') using 3:21 with linespoints ls 1 title 'tracker p50', \
     rows('tracker') using 3:22 with linespoints ls 1 dt 2 title 'tracker p99', \
     rows('ring') using 3:21 with linespoints ls 2 title 'ring p50', \
     rows('ring') using 3:22 with linespoints ls 2 dt 2 title 'ring p99', \
     rows('chord') using 3:21 with linespoints ls 3 title 'chord p50', \
     rows('chord') using 3:22 with linespoints ls 3 dt 2 title 'chord p99'
