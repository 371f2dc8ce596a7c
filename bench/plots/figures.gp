# The suite's figures, from the CSV files nanofaas_bench_suite writes:
#   gnuplot -e "results='bench/results'" bench/plots/figures.gp
# Each CSV has one header line; line figures have one data block per system (blocks
# separated by two blank lines, in the order of the systems' first rows).

if (!exists("results")) results = "bench/results"
set datafile separator ","
set terminal svg size 960,540 dynamic font "sans,12" background "white"
set termoption noenhanced
set grid
set key outside right top font ",10"
set pointsize 0.8
# Distinct colours per system (gnuplot's 5th default is a pale yellow).
set linetype 1 lc rgb "#1f77b4" lw 1.5
set linetype 2 lc rgb "#17becf" lw 1.5
set linetype 3 lc rgb "#ff7f0e" lw 1.5
set linetype 4 lc rgb "#2ca02c" lw 1.5
set linetype 5 lc rgb "#d62728" lw 1.5
set linetype 6 lc rgb "#9467bd" lw 1.5
set linetype 7 lc rgb "#8c564b" lw 1.5

csv(name) = results . "/" . name
# The systems of a CSV, quoted, in file order (word() keeps quoted names whole).
systems(file) = system("awk -F, '!/^#/ && NF > 1 && $1 != \"system\" && !seen[$1]++ { printf \"\\\"%s\\\" \", $1 }' " . file)

# a. Enqueue-to-start latency vs offered load (open loop): p99 solid, p50 dashed.
f = csv("latency_vs_load.csv")
names = systems(f)
set output results . "/latency_vs_load.svg"
set title "Enqueue-to-start latency vs offered load (open loop, 2 threads)"
set xlabel "offered load (k events/s)"
set ylabel "latency (µs), p99 solid, p50 dashed"
set logscale xy
plot for [i=1:words(names)] f index (i - 1) using ($2 / 1000):($5 / 1000) \
       with linespoints lc i dt 1 pt 7 title word(names, i) . " p99", \
     for [i=1:words(names)] f index (i - 1) using ($2 / 1000):($4 / 1000) \
       with linespoints lc i dt 2 pt 6 title word(names, i) . " p50"
unset logscale

# b. Fire-and-forget throughput vs threads.
f = csv("throughput_vs_workers.csv")
names = systems(f)
set output results . "/throughput_vs_workers.svg"
set title "Fire-and-forget throughput vs worker threads (trivial task)"
set xlabel "worker threads"
set ylabel "M events/s"
set xrange [0.8:2.2]
set xtics 1
set logscale y
plot for [i=1:words(names)] f index (i - 1) using 2:($3 / 1e6) \
       with linespoints lc i pt 7 lw 2 title word(names, i)
unset logscale
set xrange [*:*]
set xtics autofreq

# c. Fire-and-forget throughput vs number of distinct functions.
f = csv("throughput_vs_functions.csv")
names = systems(f)
set output results . "/throughput_vs_functions.svg"
set title "Fire-and-forget throughput vs distinct functions (2 threads)"
set xlabel "distinct functions"
set ylabel "M events/s"
set logscale xy
set xrange [0.5:20000]
plot for [i=1:words(names)] f index (i - 1) using 2:($3 / 1e6) \
       with linespoints lc i pt 7 lw 2 title word(names, i)
unset logscale
set xrange [*:*]

# d. Fan-out/fan-in of 16. The bar charts read each CSV's first line as its header.
set datafile columnheaders
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set xtics rotate by -25 left
set key inside left top
set xlabel ""
f = csv("fanout.csv")
set output results . "/fanout.svg"
set title "Fan-out/fan-in: a parent starts 16 children, waits for all (2 threads)"
set ylabel "k completions/s (log)"
set logscale y
set yrange [0.1:*]
plot f using ($3 / 1000):xtic(1) lc 3 notitle
set yrange [*:*]

# e. Isolation: a reserved function's sync latency beside a flooding neighbour.
f = csv("isolation.csv")
set output results . "/isolation.svg"
set title "Isolation: sync latency of one function, idle / beside a flooding neighbour"
set ylabel "latency (µs, log)"
plot f using ($2 / 1000):xtic(1) title "idle p50" lc 2, \
     '' using ($3 / 1000) title "idle p99" lc 3, \
     '' using ($4 / 1000) title "loaded p50" lc 4, \
     '' using ($5 / 1000) title "loaded p99" lc 7

# f. Sync request/response.
f = csv("sync_latency.csv")
set output results . "/sync_latency.svg"
set title "Sync request/response, echo of a 77-byte JSON, 2 workers"
set ylabel "latency (µs, log)"
set yrange [0.01:*]
plot f using ($2 / 1000):xtic(1) title "p50" lc 2, \
     '' using ($3 / 1000) title "p99" lc 7
