#!/usr/bin/env bash
# Installs the Debian packages nanofaas needs, only those missing:
#   scripts/setup.sh [bench] [fuzz] [clients]
set -euo pipefail

# Needed to build and test nanofaas.
packages=(
  build-essential cmake ninja-build ccache git pkg-config clang-format
  libboost-fiber-dev libboost-context-dev libboost-thread-dev
  libconcurrentqueue-dev libsimdjson-dev libmimalloc-dev libssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev valgrind
  nats-server libnats-dev  # nanofaas::jetstream and the JetStream tests' servers
)
# Optional groups, named on the command line. bench: the peers the benchmarks compare against
# (oneTBB's task_group, the C++ Actor Framework), without which those rows are skipped, and
# gnuplot for scripts/bench.sh's plots.
bench_packages=(libtbb-dev libcaf-dev gnuplot-nox)
# fuzz: clang-14 with libFuzzer and the sanitizer runtimes, for scripts/fuzz.sh.
fuzz_packages=(clang-14 libclang-rt-14-dev)
# clients: the real clients the HTTP API's tests drive: Debian's AWS CLI, Prometheus and promtool
# with curl (to scrape /metrics), and the AWS SDK for JavaScript from npm (into
# tests/http/node/node_modules, as its package-lock.json pins it).
client_packages=(awscli prometheus curl)
command -v npm > /dev/null || client_packages+=(nodejs npm)

for group in "$@"; do
  case "$group" in
    bench) packages+=("${bench_packages[@]}") ;;
    fuzz) packages+=("${fuzz_packages[@]}") ;;
    clients) packages+=("${client_packages[@]}") ;;
    *) echo "setup.sh: unknown group '$group' (known: bench, fuzz, clients)" >&2; exit 2 ;;
  esac
done

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ $status == *" installed" ]] || missing+=("$package")
done
if (( ${#missing[@]} == 0 )); then
  echo "setup.sh: all ${#packages[@]} packages are installed"
else
  sudo=""
  (( $(id -u) == 0 )) || sudo=sudo
  echo "setup.sh: installing ${missing[*]}"
  $sudo apt-get update
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi

if [[ " $* " == *" clients "* ]]; then
  node_dir=$(dirname "$0")/../tests/http/node
  # Again only when the lock file changed since the last install.
  if [[ ! -f $node_dir/node_modules/.package-lock.json ||
        $node_dir/package-lock.json -nt $node_dir/node_modules/.package-lock.json ]]; then
    echo "setup.sh: installing the Node test clients (npm ci in tests/http/node)"
    (cd "$node_dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
