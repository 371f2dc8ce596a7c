#!/usr/bin/env bash
# The test command: builds (scripts/build.sh), runs every test, then checks the formatting.
set -euo pipefail
cd "$(dirname "$0")/.."

export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}  # as scripts/build.sh sets it, for the consumer builds
scripts/setup.sh clients  # the AWS CLI and SDK the HTTP API tests drive
scripts/build.sh
ctest --test-dir "${BUILD_DIR:-build}" --output-on-failure --no-tests=error -j2

# Tracked C++ files only, so build outputs are never checked.
git ls-files -z -- include src tests bench examples fuzz | grep -zE '\.(hpp|cpp)$' |
  xargs -0 -r clang-format --dry-run --Werror ||
  { echo "test.sh: misformatted files above: fix them with clang-format -i" >&2; exit 1; }
echo "test.sh: all tests passed and all files are formatted"
