#!/usr/bin/env bash
# The fuzz targets of fuzz/ as one command: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
# Installs what is missing (scripts/setup.sh fuzz: clang-14 and libFuzzer), builds the targets
# with clang-14 and ccache in ${FUZZ_BUILD_DIR:-build/fuzz}, then runs each (default: all) for
# SECONDS_PER_TARGET (default 20) from its seeds, fuzz/corpus/<target>/, copied into a working
# corpus (${FUZZ_WORK_DIR}/<target> when set, kept for the next run; else a temporary one), so
# the committed seeds stay as they are. Prints each target's runs, coverage (cov) and features
# (ft); fails when a target crashes, breaks a property, leaks, times out or runs out of
# memory, keeping the input in ${FUZZ_BUILD_DIR}/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-20}
(( $# > 0 )) && shift
targets=("$@")
(( ${#targets[@]} > 0 )) || targets=(filter json queue stream config trace http)

scripts/setup.sh fuzz
build_dir=${FUZZ_BUILD_DIR:-build/fuzz}
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}  # as scripts/build.sh sets it
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
  -DNANOFAAS_WARNINGS_AS_ERRORS=ON -DNANOFAAS_FUZZ=ON -DNANOFAAS_BUILD_TESTS=OFF \
  -DNANOFAAS_BUILD_BENCH=OFF -DNANOFAAS_BUILD_EXAMPLES=OFF -DNANOFAAS_INSTALL=OFF > /dev/null
cmake --build "$build_dir" -j"$(nproc)" --target "${targets[@]/#/nanofaas_fuzz_}"

if [[ -n ${FUZZ_WORK_DIR:-} ]]; then
  work=$FUZZ_WORK_DIR
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi
artifacts=$build_dir/artifacts
mkdir -p "$artifacts"
# Fibers switch stacks behind ASan's back, which its use-after-return checks misread.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_stack_use_after_return=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}

failed=()
printf '%-8s %12s %8s %8s %8s\n' target runs cov ft corpus
for target in "${targets[@]}"; do
  corpus=$work/$target
  mkdir -p "$corpus"
  cp -n fuzz/corpus/"$target"/* "$corpus"/ 2>/dev/null || true
  options=(-max_total_time="$seconds" -print_final_stats=1 -timeout=25 -rss_limit_mb=2048
           -artifact_prefix="$artifacts/$target-")
  [[ -f fuzz/dict/$target.dict ]] && options+=(-dict="fuzz/dict/$target.dict")
  log=$work/$target.log
  status=0
  "$build_dir/fuzz/nanofaas_fuzz_$target" "${options[@]}" "$corpus" > "$log" 2>&1 || status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  last=$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<< "$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<< "$last")
  printf '%-8s %12s %8s %8s %8s\n' "$target" "${runs:-?}" "${cov:-?}" "${ft:-?}" \
    "$(find "$corpus" -type f | wc -l)"
  if (( status != 0 )); then
    failed+=("$target")
    echo "fuzz.sh: $target failed (exit $status); its report:" >&2
    grep -vE '^#[0-9]+|^INFO:' "$log" | tail -n 40 >&2
  fi
done
if (( ${#failed[@]} > 0 )); then
  echo "fuzz.sh: ${failed[*]} failed; the inputs are in $artifacts/" >&2
  exit 1
fi
echo "fuzz.sh: ${#targets[@]} targets ran ${seconds} s each without a failure"
