#!/usr/bin/env bash
# Installs what is missing, then configures and builds Release in ${BUILD_DIR:-build}.
# Extra arguments go to the CMake configure step.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
build_dir=${BUILD_DIR:-build}
# Paths relative to the checkout in ccache's keys: a clone elsewhere, and the consumer
# builds the tests run, hit the cache of an earlier build.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DNANOFAAS_WARNINGS_AS_ERRORS=ON "$@"
cmake --build "$build_dir" -j"$(nproc)"
