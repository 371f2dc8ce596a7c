#!/usr/bin/env bash
# Installs the Debian packages nanofaas needs, only those missing: scripts/setup.sh [bench] [fuzz]
set -euo pipefail

# Needed to build and test nanofaas.
packages=(
  build-essential cmake ninja-build ccache git pkg-config clang-format
  libboost-fiber-dev libboost-context-dev libboost-thread-dev
  libconcurrentqueue-dev libsimdjson-dev libmimalloc-dev libssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev valgrind
)
# Optional groups, named on the command line. bench: the peers the benchmarks compare against
# (oneTBB's task_group, the C++ Actor Framework), without which those rows are skipped, and
# gnuplot for scripts/bench.sh's plots.
bench_packages=(libtbb-dev libcaf-dev gnuplot-nox)
# fuzz: clang-14 with libFuzzer and the sanitizer runtimes, for scripts/fuzz.sh.
fuzz_packages=(clang-14 libclang-rt-14-dev)

for group in "$@"; do
  case "$group" in
    bench) packages+=("${bench_packages[@]}") ;;
    fuzz) packages+=("${fuzz_packages[@]}") ;;
    *) echo "setup.sh: unknown group '$group' (known: bench, fuzz)" >&2; exit 2 ;;
  esac
done

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ $status == *" installed" ]] || missing+=("$package")
done
if (( ${#missing[@]} == 0 )); then
  echo "setup.sh: all ${#packages[@]} packages are installed"
  exit 0
fi

sudo=""
(( $(id -u) == 0 )) || sudo=sudo
echo "setup.sh: installing ${missing[*]}"
$sudo apt-get update
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
