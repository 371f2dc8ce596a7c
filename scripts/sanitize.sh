#!/usr/bin/env bash
# The tests under AddressSanitizer and UBSan: builds the `asan` preset (Debug) in build/asan,
# runs the tests and fails on any sanitizer report, ASan's warnings included. Extra arguments
# go to ctest (say -R MappingTest).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh clients  # the HTTP API tests drive the AWS CLI and SDK
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}  # as scripts/build.sh sets it
# The benchmarks measure Release code: not built here.
cmake --preset asan -DNANOFAAS_BUILD_BENCH=OFF
cmake --build --preset asan -j"$(nproc)"

# Every test but the consumer projects: each rebuilds nanofaas (minutes under ASan) to test
# how it is packaged and linked, not what it runs, and scripts/test.sh runs them in Release.
# The instruction gate exists only in a Release build. The JetStream kill tests (minutes of
# worker processes under ASan) check delivery, which scripts/test.sh runs in Release.
log=build/asan/Testing/Temporary/LastTest.log
rm -f "$log"
ctest --preset asan -E '^consumer_|^JetStreamKillTest' "$@"

# An ASan error, a leak and a UBSan error end their test; an ASan warning does not (such as
# "ignoring requested __asan_handle_no_return", which false reports follow): any report in
# the output of the tests that passed fails the run too.
if grep -nE '^==[0-9]+==(ERROR|WARNING)|runtime error:' "$log"; then
  echo "sanitize.sh: sanitizer reports above (whole output in $log)" >&2
  exit 1
fi
echo "sanitize.sh: all tests passed under ASan and UBSan, with no report"
