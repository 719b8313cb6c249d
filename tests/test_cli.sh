#!/usr/bin/env bash
# The irqsim program end to end: exit statuses, outputs, error positions.
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
single="$SRC_DIR/scenarios/gib-single.yaml"

check version 0 "$IRQSIM" --version
contains version "$tmp/out" "irqsim "
check help 0 "$IRQSIM" --help
check no-args 2 "$IRQSIM"
check unknown-command 2 "$IRQSIM" frob
check missing-file 4 "$IRQSIM" run "$tmp/nope.yaml"
contains missing-file "$tmp/err" "nope.yaml"
check bad-option 2 "$IRQSIM" run "$single" --bogus
check bad-format 2 "$IRQSIM" run "$single" --format xml
check bad-seed 2 "$IRQSIM" run "$single" --seed -3
check bad-set 2 "$IRQSIM" run "$single" --set model.heuristic=v9
contains bad-set "$tmp/err" "expected one of: upstream, v5, v4, v3, v2, kick-all, no-gisa"
check unknown-set-key 2 "$IRQSIM" run "$single" --set model.bogus=1
contains unknown-set-key "$tmp/err" "unknown key 'bogus'"

# an error in a file names FILE:LINE:COL
printf 'name: x\nduration: 1ms\nmodel: {name: gib}\nguests:\n  - {name: g, vcpus: 2, workload: {busy: exp(5 parsecs)}}\n' >"$tmp/bad.yaml"
check bad-unit 2 "$IRQSIM" validate "$tmp/bad.yaml"
contains bad-unit "$tmp/err" "bad.yaml:5:"

check run-text 0 "$IRQSIM" run "$single" --quiet
contains run-text "$tmp/out" "gal_interrupts"
contains run-text "$tmp/out" "conservation                       ok"
check run-json 0 "$IRQSIM" run "$single" --format json --seed 3
for key in '"scenario": "gib-single"' '"model": "gib"' '"seed": 3' '"sim_cycles": ' \
    '"sim_seconds": ' '"events": ' '"wall_seconds": ' '"totals": {' '"guests": [{"name": "g"' \
    '"injected": 1' '"delivered": 1' '"kicks": 1' '"gal_interrupts": 1' '"p999": '; do
    contains run-json "$tmp/out" "$key"
done
check run-out 0 "$IRQSIM" run "$single" --quiet --out "$tmp/o"
for f in summary.json guests.csv latency.csv; do
    [ -s "$tmp/o/$f" ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL run-out: no $f"; }
done
contains run-out "$tmp/o/latency.csv" "g,3,100000,7700,0"
# the scenario's output section is used unless the command line says otherwise
{ cat "$single"; echo "output: {format: json, dir: $tmp/o3}"; } >"$tmp/without.yaml"
check output-section 0 "$IRQSIM" run "$tmp/without.yaml" --quiet
contains output-section "$tmp/out" '"scenario": "gib-single"'
[ -s "$tmp/o3/summary.json" ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL output-section: no dir"; }
check output-section-cli 0 "$IRQSIM" run "$tmp/without.yaml" --quiet --format text
contains output-section-cli "$tmp/out" "alerts and kicks"
(cd "$tmp" && "$IRQSIM" run "$single" --plot --quiet >/dev/null 2>"$tmp/err")
[ -s "$tmp/irqsim-out/gib-single/summary.json" ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL plot-default-dir"; cat "$tmp/err"; }
contains plot-default-dir "$tmp/err" "irqsim-out/gib-single/"
# the user story: compare two heuristics with plots, no --out
(cd "$tmp" && "$IRQSIM" compare "$single" --vary model.heuristic=upstream,v5 --plot --quiet \
    >"$tmp/out" 2>"$tmp/err")
[ -s "$tmp/irqsim-out/gib-single/compare.json" ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL compare-default-dir"; cat "$tmp/err"; }
contains compare-default-dir "$tmp/out" "wasted_kicks"

check models 0 "$IRQSIM" models
contains models "$tmp/out" "kicker_period"
contains models "$tmp/out" "assumption"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
