# Shared by the shell tests: the temporary folder, the pass/fail counts and
# the checks. Sourced after the caller's set -uo pipefail; needs IRQSIM and
# SRC_DIR. The caller ends with: echo "$pass passed, $fail failed"; [ "$fail" = 0 ]
: "${IRQSIM:?path to the irqsim CLI}" "${SRC_DIR:?source directory}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
check() { # check NAME EXPECTED-STATUS COMMAND...
    local name=$1 want=$2
    shift 2
    "$@" >"$tmp/out" 2>"$tmp/err"
    local got=$?
    if [ "$got" = "$want" ]; then pass=$((pass + 1)); else
        fail=$((fail + 1))
        echo "FAIL $name: status $got, expected $want"
        cat "$tmp/err"
    fi
}
contains() { # contains NAME FILE TEXT
    if grep -qF -- "$3" "$2"; then pass=$((pass + 1)); else
        fail=$((fail + 1))
        echo "FAIL $1: '$3' not in $2"
        cat "$2"
    fi
}
lacks() { # lacks NAME FILE TEXT
    if ! grep -qF -- "$3" "$2"; then pass=$((pass + 1)); else
        fail=$((fail + 1))
        echo "FAIL $1: '$3' in $2"
    fi
}
single="$SRC_DIR/scenarios/gib-single.yaml"
