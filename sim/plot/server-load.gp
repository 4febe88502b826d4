# Server load: messages per request (left) and per second (right), per strategy.
load plotdir.'/common.gp'
set terminal pngcairo size 1000,440 font 'DejaVu Sans,10' noenhanced
set output out
set multiplot layout 1,2 title 'Server load vs crowd size'
set logscale y
set ylabel 'server messages per request'
plot rows('tracker') using 3:23 with linespoints ls 1 title 'tracker', \
     rows('ring') using 3:23 with linespoints ls 2 title 'ring', \
     rows('chord') using 3:23 with linespoints ls 3 title 'chord'
set ylabel 'server messages per second (mean)'
plot rows('tracker') using 3:24 with linespoints ls 1 title 'tracker', \
     rows('ring') using 3:24 with linespoints ls 2 title 'ring', \
     rows('chord') using 3:24 with linespoints ls 3 title 'chord'
unset multiplot
