#!/usr/bin/env bash
# docs/models.md is generated from the models' parameter tables; fail when it
# is stale, check that every shipped scenario loads, and that the README's
# regression-test example is tests/install/consumer.c (which the
# install_consumer test builds and runs).
set -euo pipefail
: "${IRQSIM:?path to the irqsim CLI}" "${SRC_DIR:?source directory}"
if ! "$IRQSIM" models --markdown | diff -u "$SRC_DIR/docs/models.md" -; then
    echo "docs/models.md is stale: run 'build/irqsim models --markdown > docs/models.md'" >&2
    exit 1
fi
"$IRQSIM" validate "$SRC_DIR"/scenarios/*.yaml
example=$(sed -n '/^<!-- example: tests\/install\/consumer.c -->$/,/^```$/p' "$SRC_DIR/README.md" |
    sed '1,2d;$d')
if ! diff -u "$SRC_DIR/tests/install/consumer.c" <(printf '%s\n' "$example"); then
    echo "README.md's example differs from tests/install/consumer.c" >&2
    exit 1
fi
echo "1 passed, 0 failed"
