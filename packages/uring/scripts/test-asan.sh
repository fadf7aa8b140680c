#!/usr/bin/env bash
# Builds the debug + AddressSanitizer/UBSan addon and runs the uring tests against it.
# Node itself is not instrumented, so libasan is preloaded; Node's own allocations at exit are
# not ours, so leak detection is off, while use-after-free, overflows and UB abort the run.
set -euo pipefail
cd "$(dirname "$0")/.."
node scripts/build-addon.mjs --debug
asan="$(gcc -print-file-name=libasan.so)"
if [ ! -e "$asan" ]; then
  echo "test-asan: libasan.so not found (gcc -print-file-name=libasan.so)" >&2
  exit 1
fi
export LD_PRELOAD="$asan"
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:halt_on_error=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
export PKTIO_URING_BUILD=Debug
cd ../..
exec npx --no-install vitest run --project uring "$@"
