#!/usr/bin/env bash
# The chaos soak: scripts/soak.sh DURATION_SECONDS [--seed N] [--events N] [--records N] ...
# Builds Release in ${BUILD_DIR:-build} (scripts/build.sh), then runs nanofaas_soak: 10,000
# asynchronous events and 10,000 queue messages a second of DURATION (at least a million each,
# unless --events and --records say otherwise) through one engine whose reservations,
# versions, aliases and mappings change meanwhile, a shutdown at a random moment under load,
# then the checks: every event and message accounted for exactly once, memory back to its
# idle level. It prints its seed; --seed N repeats the same random choices (the threads'
# interleaving differs). Non-zero exit on any violation.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ $# -lt 1 || $1 == -* ]]; then
  echo "usage: scripts/soak.sh DURATION_SECONDS [--seed N] [nanofaas_soak options]" >&2
  exit 2
fi
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}  # as scripts/build.sh sets it
scripts/build.sh
exec "${BUILD_DIR:-build}/tests/soak/nanofaas_soak" "$@"
