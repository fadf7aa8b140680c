#!/usr/bin/env bash
# Checks each prebuilt addon with readelf: the right machine, the right libc (glibc's libc.so.6 or
# musl's libc.so, no interpreter: a shared object), and nothing undefined but libc's functions
# and what Node exports to addons (napi_*, and libuv's uv_* that the binding polls its eventfd with).
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
check() {
  local tuple=$1 machine=$2 libc=$3 file="prebuilds/$1/pktio_uring.node"
  if [ ! -f "$file" ]; then echo "check-prebuilds: $file missing" >&2; status=1; return; fi
  local got_machine needed undefined
  got_machine=$(readelf -h "$file" | sed -n 's/^ *Machine: *//p')
  needed=$(readelf -d "$file" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
  # Functions from node: undefined and unversioned, neither libc's (versioned on glibc) nor the
  # toolchain's weak hooks. musl's libc symbols are unversioned, so they are named instead.
  undefined=$(nm -D --undefined-only "$file" | awk '$1 == "U" { print $2 }' | grep -v '@' |
    grep -vE '^(napi_|uv_)' |
    grep -vxE '__errno_location|calloc|close|eventfd|free|malloc|memcpy|memset|mmap|munmap|nanosleep|pread|pwrite|read|realloc|syscall|socket|bind|listen|setsockopt|getsockname|getpeername|sendmsg|recvmsg|prctl|__cxa_finalize' || true)
  if [ "$got_machine" != "$machine" ]; then echo "check-prebuilds: $tuple is '$got_machine', want '$machine'" >&2; status=1; fi
  if [ "$needed" != "$libc " ]; then echo "check-prebuilds: $tuple needs '$needed', want '$libc'" >&2; status=1; fi
  if readelf -l "$file" | grep -q 'Requesting program interpreter'; then echo "check-prebuilds: $tuple has an interpreter" >&2; status=1; fi
  if [ -n "$undefined" ]; then echo "check-prebuilds: $tuple has unexpected undefined symbols: $undefined" >&2; status=1; fi
  echo "check-prebuilds: $tuple: $got_machine, needs $needed, $(nm -D --undefined-only "$file" | grep -cE ' (napi_|uv_)') symbols from node ($(nm -D --undefined-only "$file" | grep -oE ' uv_[a-z_]+' | tr -d ' ' | tr '\n' ' '))"
}
check linux-x64-glibc "Advanced Micro Devices X86-64" libc.so.6
check linux-x64-musl "Advanced Micro Devices X86-64" libc.so
check linux-arm64-glibc "AArch64" libc.so.6
exit $status
