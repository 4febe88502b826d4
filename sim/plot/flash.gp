# Flash crowd: origin bandwidth over time per strategy, and the crowd size.
load plotdir.'/common.gp'
unset logscale x
set format x '%g'
set output out
set xlabel 'time (s)'
set ylabel 'origin bandwidth (Mbit/s)'
set y2label 'peers on-line'
set y2tics
set ytics nomirror
set key top right
set title 'Flash crowd (arrivals x100 for 120 s at t = 600 s): origin bandwidth'
plot dir.'/flash-tracker.csv' using 1:3 every ::1 with lines ls 1 title 'tracker', \
     dir.'/flash-ring.csv' using 1:3 every ::1 with lines ls 2 title 'ring', \
     dir.'/flash-chord.csv' using 1:3 every ::1 with lines ls 3 title 'chord', \
     dir.'/flash-tracker.csv' using 1:2 every ::1 axes x1y2 with lines ls 4 title 'peers on-line'
