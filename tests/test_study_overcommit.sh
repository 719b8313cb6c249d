#!/usr/bin/env bash
# docs/studies/overcommit.md shows what the code produces now: rerun the
# study's sweep and compare its table with the one in the document.
set -uo pipefail
: "${IRQSIM:?path to the irqsim CLI}" "${SRC_DIR:?source directory}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! "$SRC_DIR/docs/studies/overcommit.sh" "$IRQSIM" "$tmp" >"$tmp/log" 2>&1; then
    cat "$tmp/log"
    echo "0 passed, 1 failed"
    exit 1
fi
sed -n '/^<!-- table:begin/,/^<!-- table:end/p' "$SRC_DIR/docs/studies/overcommit.md" |
    sed '1d;$d' >"$tmp/doc.md"
if diff -u "$tmp/doc.md" "$tmp/table.md"; then
    echo "1 passed, 0 failed"
else
    echo "FAIL docs/studies/overcommit.md's table is not what the sweep gives now (- doc, + now)"
    echo "0 passed, 1 failed"
    exit 1
fi
