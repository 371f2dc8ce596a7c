#!/usr/bin/env bash
# Instruction-count gate for the hot paths: counts instructions per operation with callgrind
# (repeatable on a noisy machine, unlike time) and fails when one grew more than 10% over
# bench/instruction_baseline.txt.  usage: scripts/instruction_gate.sh [--update] [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."

update=0
if [[ ${1:-} == --update ]]; then update=1; shift; fi
build_dir=${1:-${BUILD_DIR:-build}}
program=$build_dir/bench/nanofaas_bench_icount
baseline=bench/instruction_baseline.txt
count=2000
tolerance=10  # percent

[[ -x $program ]] || { echo "instruction_gate: $program not built" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "instruction_gate: valgrind is not installed" >&2; exit 2; }

declare -A measured
for op in sync nested cold async batch filter; do
  out=$(mktemp)
  valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$out" \
    "$program" "$op" "$count" 2>/dev/null
  total=$(awk '/^totals:/ {print $2}' "$out")
  rm -f "$out"
  per=$count
  [[ $op == batch ]] && per=$(( count * 100 ))  # per record
  measured[$op]=$(( total / per ))
done

if (( update )); then
  { echo "# instructions per operation (scripts/instruction_gate.sh --update)"
    for op in sync nested cold async batch filter; do echo "$op ${measured[$op]}"; done; } > "$baseline"
  echo "instruction_gate: wrote $baseline"
  exit 0
fi

failed=0
printf '%-8s %10s %10s %8s\n' operation baseline measured change
while read -r op base; do
  [[ -z $op || $op == \#* ]] && continue
  now=${measured[$op]:?no measurement for $op}
  change=$(( (now - base) * 100 / base ))
  printf '%-8s %10d %10d %7d%%\n' "$op" "$base" "$now" "$change"
  (( change > tolerance )) && { echo "instruction_gate: $op grew by more than $tolerance%" >&2; failed=1; }
done < "$baseline"
exit $failed
