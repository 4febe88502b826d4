# Offload ratio vs crowd size, per strategy, beside the limit for the same arrivals.
load plotdir.'/common.gp'
set output out
set ylabel 'offload: bytes from peers / all bytes'
set yrange [0:1]
set title 'Offload vs crowd size (dashed: limit, every resource once from the origin)'
plot rows('tracker') using 3:10 with linespoints ls 1 title 'tracker', \
     rows('ring') using 3:10 with linespoints ls 2 title 'ring', \
     rows('chord') using 3:10 with linespoints ls 3 title 'chord', \
     rows('tracker') using 3:11 with lines ls 4 title 'limit'
