#!/usr/bin/env bash
# The main job: builds (scripts/build.sh), then runs the demo and the headline benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh bench  # what the build needs, plus the benchmark's peers (oneTBB)
scripts/build.sh
build_dir=${BUILD_DIR:-build}
for program in examples/nanofaas_demo bench/nanofaas_bench_headline bench/nanofaas_bench_mapping; do
  if [[ ! -x $build_dir/$program ]]; then
    echo "demo.sh: $build_dir/$program was not built (no such target in $(dirname "$program")/)" >&2
    exit 1
  fi
  echo "== $program"
  "$build_dir/$program"
done
