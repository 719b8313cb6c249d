#!/usr/bin/env bash
# The shared library exports exactly the public API: every function declared
# in include/irqsim/*.h, and no other irq_ name (core-internal functions stay
# hidden, whatever their prefix).
set -uo pipefail
: "${BUILD_DIR:?build directory}" "${SRC_DIR:?source directory}"
lib=$(ls "$BUILD_DIR"/libirqsim.so 2>/dev/null | head -1)
if [ -z "$lib" ] || ! command -v nm >/dev/null; then
    echo "1 passed, 0 failed, 1 skipped: no shared library or nm"
    exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
grep -ohE '^[A-Za-z_][A-Za-z0-9_ *]*[ *](irq_[a-z0-9_]+)\(' "$SRC_DIR"/include/irqsim/*.h |
    grep -oE 'irq_[a-z0-9_]+\($' | tr -d '(' | sort -u >"$tmp/public"
nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBRW]$/ {print $3}' | grep -v '^_' | sort -u >"$tmp/exported"
pass=0 fail=0
if diff -u "$tmp/public" "$tmp/exported" >"$tmp/diff"; then
    pass=$((pass + 1))
else
    fail=$((fail + 1))
    echo "FAIL exported symbols differ from the public headers (- public only, + exported only):"
    cat "$tmp/diff"
fi
n=$(wc -l <"$tmp/public")
if [ "$n" -gt 10 ]; then pass=$((pass + 1)); else
    fail=$((fail + 1))
    echo "FAIL only $n public functions found in the headers"
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
