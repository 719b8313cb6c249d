#!/usr/bin/env bash
# Hostile input and honest output (issue 14): one case per defect found,
# each failing before its fix. Limits are small so that every case is fast.
set -uo pipefail
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
scen() { # scen FILE ARRIVALS [GUEST-EXTRA]: one gib guest, one source
    printf 'name: t\nduration: 2ms\nmodel: {name: gib}\nguests:\n  - {name: g, vcpus: 1%s}\nsources:\n  - {name: s, target: g, arrivals: %s}\n' \
        "${3:-}" "$2" >"$1"
}

# ---- budgets --------------------------------------------------------------
# a storm into a vCPU that never takes it: held arrivals hit the budget
scen "$tmp/held.yaml" "'storm(count=1000000, window=1ms)'" ", workload: {stopped: true}"
check held-budget 1 "$IRQSIM" run "$tmp/held.yaml" --quiet --max-memory 64k
contains held-budget "$tmp/err" "memory limit of 64 KiB reached holding coalesced interrupts"
contains held-budget "$tmp/err" "--max-memory"
check held-default 0 "$IRQSIM" run "$tmp/held.yaml" --quiet
check bad-max-memory 2 "$IRQSIM" run "$tmp/held.yaml" --max-memory lots
check event-budget 1 "$IRQSIM" run "$single" --quiet --max-events 10
contains event-budget "$tmp/err" "event limit of 10 reached"
# compare keeps its variants' documents in memory: bounded too
check compare-budget 1 "$IRQSIM" compare "$single" --vary model.heuristic=upstream,v5 --quiet \
    --max-memory 1k
contains compare-budget "$tmp/err" "--max-memory"

# ---- output honesty ---------------------------------------------------------
"$IRQSIM" run "$single" --quiet >/dev/full 2>"$tmp/err"
st=$?
[ "$st" = 4 ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL dev-full: status $st"; }
contains dev-full "$tmp/err" "No space left on device"
mkdir -p "$tmp/o1/summary.json" # summary.json cannot be written there
check summary-unwritable 4 "$IRQSIM" run "$single" --quiet --out "$tmp/o1"
contains summary-unwritable "$tmp/err" "summary.json"
contains summary-unwritable "$tmp/err" "directory"
ls -A "$tmp/o1" | grep -q tmp && { fail=$((fail + 1)); echo "FAIL summary-unwritable: temp left"; } || pass=$((pass + 1))
printf 'x' >"$tmp/afile"
check compare-out-file 4 "$IRQSIM" compare "$single" --vary model.heuristic=upstream,v5 --out "$tmp/afile"
lacks compare-out-file "$tmp/err" "variant 1 of 2"
contains compare-out-file "$tmp/err" "Not a directory"
# the previous run's outputs do not survive a run that fails to write them
check stale-1 0 "$IRQSIM" run "$single" --quiet --out "$tmp/o2"
check stale-2 1 "$IRQSIM" run "$single" --quiet --out "$tmp/o2" --max-events 10
[ ! -e "$tmp/o2/summary.json" ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL stale: old summary.json kept"; }
check trace-into-out 2 "$IRQSIM" run "$single" --quiet --out "$tmp/o2" --trace "$tmp/o2/summary.json"
contains trace-into-out "$tmp/err" "a file that --out"
# SIGINT: stop at once, write what was simulated, marked partial
printf 'name: long\nduration: 100s\nmodel: {name: gib}\nguests:\n  - {name: g, count: 8, vcpus: 2, workload: {busy: exp(20us), idle: exp(20us)}}\nsources:\n  - {name: s, target: g, arrivals: poisson(200k/s)}\n' >"$tmp/long.yaml"
"$IRQSIM" run "$tmp/long.yaml" --quiet --out "$tmp/o3" --format json >"$tmp/out" 2>"$tmp/err" &
pid=$!
sleep 1
kill -INT "$pid"
wait "$pid"
st=$?
[ "$st" = 130 ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL sigint: status $st"; cat "$tmp/err"; }
contains sigint "$tmp/out" '"partial": true'
contains sigint "$tmp/o3/summary.json" '"partial": true'
contains sigint "$tmp/err" "partial"
[ -s "$tmp/o3/latency.csv" ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL sigint: no latency.csv"; }

# latency.csv: times exact past 10 s (%.10g wrote 1.23456789e+10)
printf '12345678901\n' >"$tmp/late.csv"
printf 'name: late\nduration: 13s\nmodel: {name: gib}\nguests:\n  - {name: g, vcpus: 1}\nsources:\n  - {name: s, target: g, arrivals: replay(late.csv)}\n' >"$tmp/late.yaml"
check csv-exact 0 "$IRQSIM" run "$tmp/late.yaml" --quiet --out "$tmp/o4"
contains csv-exact "$tmp/o4/latency.csv" "g,0,12345678901,"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
