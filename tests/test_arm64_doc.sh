#!/usr/bin/env bash
# docs/rvic.md shows the tables docs/arm64-figures.sh produces from the
# `irqsim compare` runs it gives: fail when they differ.
set -euo pipefail
: "${IRQSIM:?path to the irqsim CLI}" "${SRC_DIR:?source directory}"
want=$(sed -n '/<!-- figures:begin -->/,/<!-- figures:end -->/p' "$SRC_DIR/docs/rvic.md" | sed '1d;$d')
got=$(SRC_DIR=$SRC_DIR bash "$SRC_DIR/docs/arm64-figures.sh" "$IRQSIM")
if [ "$want" != "$got" ]; then
    diff -u <(printf '%s\n' "$want") <(printf '%s\n' "$got") || true
    echo "docs/rvic.md's figures are stale: rerun docs/arm64-figures.sh and paste its output" >&2
    exit 1
fi
echo "1 passed, 0 failed"
