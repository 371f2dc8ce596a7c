#!/usr/bin/env bash
# The benchmark suite as one command: scripts/bench.sh [quick|full]
# Installs what it needs (scripts/setup.sh bench: oneTBB, CAF, gnuplot), builds Release in
# ${BUILD_DIR:-build} (scripts/build.sh), runs nanofaas_bench_suite (CSV, one file per figure)
# and the headline, mapping, filter, HTTP, observability and JetStream benchmarks and the
# instruction counts (text) into bench/results/, draws the figures
# (bench/plots/figures.gp, SVG) and writes bench/results/ratios.md with the machine under it.
# quick: ~2 minutes of measuring on 2 cores, medians of 3; full: medians of 5, longer runs.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-quick}
case $mode in
  quick) suite_flags=(--quick); headline_args=(5000); mapping_args=(3); filter_repetitions=3
         http_args=(1 5 1 4 8); observability_args=(3 100000 300000 10000)
         jetstream_args=(3 30000 3) ;;
  full) suite_flags=(); headline_args=(); mapping_args=(); filter_repetitions=5
        http_args=(2 5 1 4 8); observability_args=(5 200000 500000 10000)
        jetstream_args=(5 200000 3) ;;
  *) echo "usage: scripts/bench.sh [quick|full]" >&2; exit 2 ;;
esac
command_line="scripts/bench.sh $mode"
[[ -n ${BUILD_DIR:-} ]] && command_line="BUILD_DIR=$BUILD_DIR $command_line"

scripts/setup.sh bench
scripts/build.sh
build_dir=${BUILD_DIR:-build}
results=bench/results
mkdir -p "$results"

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
start=$(date +%s)
echo "== nanofaas_bench_suite ${suite_flags[*]} $results"
"$build_dir/bench/nanofaas_bench_suite" "${suite_flags[@]}" "$results"
echo "== nanofaas_bench_headline ${headline_args[*]} > $results/headline.txt"
"$build_dir/bench/nanofaas_bench_headline" "${headline_args[@]}" > "$results/headline.txt"
echo "== nanofaas_bench_mapping ${mapping_args[*]} > $results/mapping.txt"
"$build_dir/bench/nanofaas_bench_mapping" "${mapping_args[@]}" > "$results/mapping.txt"
echo "== nanofaas_bench_filter > $results/filter.txt"
"$build_dir/bench/nanofaas_bench_filter" --benchmark_repetitions="$filter_repetitions" \
  --benchmark_report_aggregates_only=true > "$results/filter.txt"
echo "== nanofaas_bench_http ${http_args[*]} > $results/http.txt"
"$build_dir/bench/nanofaas_bench_http" "${http_args[@]}" > "$results/http.txt"
echo "== nanofaas_bench_sigv4 >> $results/http.txt"
"$build_dir/bench/nanofaas_bench_sigv4" --benchmark_repetitions="$filter_repetitions" \
  --benchmark_report_aggregates_only=true >> "$results/http.txt"
echo "== nanofaas_bench_observability ${observability_args[*]} > $results/observability.txt"
"$build_dir/bench/nanofaas_bench_observability" "${observability_args[@]}" \
  > "$results/observability.txt"
# Built with nanofaas::jetstream (libnats-dev); it starts its own nats-server (scripts/nats.sh).
if [[ -x $build_dir/bench/nanofaas_bench_jetstream ]] && command -v nats-server > /dev/null; then
  echo "== nanofaas_bench_jetstream ${jetstream_args[*]} > $results/jetstream.txt"
  "$build_dir/bench/nanofaas_bench_jetstream" "${jetstream_args[@]}" > "$results/jetstream.txt"
fi
if [[ -x $build_dir/bench/nanofaas_bench_icount ]] && command -v valgrind > /dev/null; then
  echo "== scripts/instruction_gate.sh > $results/instructions.txt"
  # A failed gate is reported in the file, and the plots and notes are still written.
  scripts/instruction_gate.sh "$build_dir" > "$results/instructions.txt" ||
    echo "instruction gate: FAILED (a hot path grew more than 10%)" >> "$results/instructions.txt"
fi
elapsed=$(( $(date +%s) - start ))
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

echo "== gnuplot bench/plots/figures.gp"
gnuplot -e "results='$results'" bench/plots/figures.gp

commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ $commit != unknown && -n $(git status --porcelain -- src include CMakeLists.txt bench ':!bench/results') ]]; then
  commit="$commit plus uncommitted changes"
fi
cpu=$(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1)
compiler=$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$build_dir/CMakeCache.txt")
{
  echo
  echo "Machine: ${cpu:-unknown CPU}, $(nproc) cores ($(uname -sr)); compiler: $("${compiler:-c++}" --version | head -n 1);"
  echo "Source: commit $commit. Release build (scripts/build.sh); command: \`$command_line\`;"
  echo "measuring took ${elapsed} s (suite, headline, mapping and filter benchmarks, instruction"
  echo "counts); load average (1, 5, 15 min) $load_before at the start (after the build),"
  echo "$load_after at the end (this run's own threads count): other work on the machine"
  echo "disturbs nanofaas' spinning workers most."
  echo "Other output: headline.txt, mapping.txt, filter.txt, http.txt, observability.txt,"
  echo "jetstream.txt, instructions.txt, *.csv, *.svg."
} >> "$results/ratios.md"
echo "bench.sh: results in $results/ (measuring took ${elapsed} s)"
