# Chart of benchmarks/compare.sh: CPU per call (log scale) and calls per
# second, one bar per client.
#   gnuplot -e "datafile='plot.dat'; outfile='compare.svg'" compare.gnuplot
# datafile columns: "client" cpu_us_per_call calls_per_s
set terminal svg size 1000,460 dynamic font "sans,12" background rgb "white"
set output outfile
set multiplot layout 1,2 title "CreateChatToken over keep-alive TLS to nginx on 127.0.0.1 (same run)"
set style data boxes
set style fill solid 0.75 border -1
set boxwidth 0.6
set grid ytics
set xtics rotate by -25 nomirror
set key off

set title "client CPU per call (us, user+sys, log scale; lower is better)"
set logscale y
set yrange [1:*]
plot datafile using 0:2:xtic(1) linecolor rgb "#4e79a7", \
     "" using 0:2:(sprintf("%.1f", $2)) with labels offset 0,0.7

set title "calls per second (higher is better)"
unset logscale y
set yrange [0:*]
plot datafile using 0:3:xtic(1) linecolor rgb "#59a14f", \
     "" using 0:3:(sprintf("%.0f", $3)) with labels offset 0,0.7
unset multiplot
