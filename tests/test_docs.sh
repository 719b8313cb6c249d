#!/usr/bin/env bash
# docs/models.md is generated from the models' parameter tables; fail when it
# is stale, and check that every shipped scenario loads.
set -euo pipefail
: "${IRQSIM:?path to the irqsim CLI}" "${SRC_DIR:?source directory}"
if ! "$IRQSIM" models --markdown | diff -u "$SRC_DIR/docs/models.md" -; then
    echo "docs/models.md is stale: run 'build/irqsim models --markdown > docs/models.md'" >&2
    exit 1
fi
"$IRQSIM" validate "$SRC_DIR"/scenarios/*.yaml
echo "1 passed, 0 failed"
