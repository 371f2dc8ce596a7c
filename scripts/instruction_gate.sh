#!/usr/bin/env bash
# Instruction-count gate for the hot paths: counts instructions per operation with callgrind
# (repeatable on a noisy machine, unlike time) and fails when one grew more than 10% over
# bench/instruction_baseline.txt.  usage: scripts/instruction_gate.sh [--update] [BUILD_DIR]
# --observability instead prints what metrics and spans add to a sync call and an async event
# (engines with metrics off, on, and on with a span exporter); it checks nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

update=0
observability=0
if [[ ${1:-} == --update ]]; then update=1; shift; fi
if [[ ${1:-} == --observability ]]; then observability=1; shift; fi
build_dir=${1:-${BUILD_DIR:-build}}
program=$build_dir/bench/nanofaas_bench_icount
baseline=bench/instruction_baseline.txt
count=2000
tolerance=10  # percent
# sync, nested and async by name, then through a FunctionHandle (no name lookup).
operations="sync nested cold async batch filter sync-handle nested-handle async-handle"

[[ -x $program ]] || { echo "instruction_gate: $program not built" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "instruction_gate: valgrind is not installed" >&2; exit 2; }

# per_operation OP [VARIANT]: instructions per operation.
per_operation() {
  local out total per=$count
  out=$(mktemp)
  valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$out" \
    "$program" "$1" "$count" ${2:+"$2"} 2>/dev/null
  total=$(awk '/^totals:/ {print $2}' "$out")
  rm -f "$out"
  [[ $1 == batch ]] && per=$(( count * 100 ))  # per record
  echo $(( total / per ))
}

# fewest OP [VARIANT]: the fewest of three counts (how often a worker sleeps and wakes differs
# from run to run, by up to ~5%).
fewest() {
  local best=0 n
  for _ in 1 2 3; do
    n=$(per_operation "$@")
    (( best == 0 || n < best )) && best=$n
  done
  echo "$best"
}

if (( observability )); then
  printf '%-6s %12s %12s %8s %12s %8s\n' operation "metrics off" "metrics on" change \
    "+ spans" change
  for op in sync async; do
    off=$(fewest "$op" metrics-off)
    on=$(fewest "$op")
    traced=$(fewest "$op" traced)
    awk -v op="$op" -v off="$off" -v on="$on" -v traced="$traced" 'BEGIN {
      printf "%-6s %12d %12d %7.1f%% %12d %7.1f%%\n", op, off, on, 100 * (on - off) / off,
        traced, 100 * (traced - on) / on }'
  done
  exit 0
fi

declare -A measured
for op in $operations; do
  measured[$op]=$(per_operation "$op")
done

if (( update )); then
  { echo "# instructions per operation (scripts/instruction_gate.sh --update)"
    for op in $operations; do echo "$op ${measured[$op]}"; done; } > "$baseline"
  echo "instruction_gate: wrote $baseline"
  exit 0
fi

failed=0
printf '%-14s %10s %10s %8s\n' operation baseline measured change
while read -r op base; do
  [[ -z $op || $op == \#* ]] && continue
  now=${measured[$op]:?no measurement for $op}
  change=$(( (now - base) * 100 / base ))
  printf '%-14s %10d %10d %7d%%\n' "$op" "$base" "$now" "$change"
  (( change > tolerance )) && { echo "instruction_gate: $op grew by more than $tolerance%" >&2; failed=1; }
done < "$baseline"
exit $failed
