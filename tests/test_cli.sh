#!/usr/bin/env bash
# The irqsim program end to end: exit statuses, outputs, error positions.
set -uo pipefail
# shellcheck source=lib/checks.sh
. "$(dirname "$0")/lib/checks.sh"

check version 0 "$IRQSIM" --version
contains version "$tmp/out" "irqsim "
contains version "$tmp/out" "(source revision "
# the revision is taken at build time, not when the build folder was
# configured: in a checkout it is HEAD's (make test builds first; run by
# hand after a commit without a build, this fails: the binary is older)
if command -v git >/dev/null && head=$(git -C "$SRC_DIR" describe --always --tags 2>/dev/null); then
    contains "version-head (HEAD is $head: built after the last commit?)" "$tmp/out" \
        "(source revision $head"
fi
check help 0 "$IRQSIM" --help
# every command's usage, from the same table as the man page and completions
for cmd in run compare sweep merge validate models help; do
    for h in --help -h; do
        check "help-$cmd$h" 0 "$IRQSIM" "$cmd" "$h"
        contains "help-$cmd$h" "$tmp/out" "usage: irqsim $cmd"
    done
    contains "help-all" <("$IRQSIM" --help) "  $cmd "
done
check help-run-late 0 "$IRQSIM" run "$SRC_DIR/scenarios/gib-single.yaml" --seed 3 --help
contains help-run-late "$tmp/out" "--replications N"
check help-bad 2 "$IRQSIM" help frobnicate
check man 0 "$IRQSIM" help --man
contains man "$tmp/out" ".TH IRQSIM 1"
contains man "$tmp/out" ".SS irqsim compare"
if command -v groff >/dev/null 2>&1; then
    groff -man -ww -z "$tmp/out" 2>"$tmp/groff.err"
    [ ! -s "$tmp/groff.err" ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL man: groff warns:"; cat "$tmp/groff.err"; }
fi
check keys 0 "$IRQSIM" help --keys
contains keys "$tmp/out" "model.heuristic"
contains keys "$tmp/out" "host.cpus"
contains keys "$tmp/out" "guests.NAME.count"
# the bash completion offers commands, options and keys
check completion-bash 0 "$IRQSIM" help --completion bash
cp "$tmp/out" "$tmp/completion.bash"
bash -n "$tmp/completion.bash" && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL completion-bash: syntax"; }
complete_words() { # complete_words WORD... -> the completions of the last word
    bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _irqsim; printf "%s
" "${COMPREPLY[@]}"' \
        _ "$tmp/completion.bash" "$@"
}
complete_words "$IRQSIM" comp >"$tmp/c1"
contains completion-command "$tmp/c1" "compare"
complete_words "$IRQSIM" compare --rep >"$tmp/c2"
contains completion-option "$tmp/c2" "--replications"
complete_words "$IRQSIM" compare x.yaml --vary model.heu >"$tmp/c3"
contains completion-key "$tmp/c3" "model.heuristic="
# with a scenario on the line: its guest templates' names
complete_words "$IRQSIM" run "$SRC_DIR/scenarios/many-guests.yaml" --set guests.sm >"$tmp/c4"
contains completion-key-named "$tmp/c4" "guests.small.count="
check keys-file 0 "$IRQSIM" help --keys "$SRC_DIR/scenarios/gib-storm.yaml"
contains keys-file "$tmp/out" "sources.burst.arrivals"
check completion-zsh 0 "$IRQSIM" help --completion zsh
contains completion-zsh "$tmp/out" "#compdef irqsim"
if command -v zsh >/dev/null 2>&1; then
    zsh -n "$tmp/out" && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL completion-zsh: syntax"; }
    # what it offers after --vary: the keys (compadd and _files stubbed to print)
    cp "$tmp/out" "$tmp/_irqsim"
    PATH="$(dirname "$IRQSIM"):$PATH" zsh -c 'compadd() { local a; for a; do [[ $a == -* ]] || print -r -- $a; done }
        _files() { print FILES }
        source "$1"; words=(irqsim compare x.yaml --vary ""); CURRENT=5; PREFIX=""; _irqsim' \
        _ "$tmp/_irqsim" >"$tmp/zc" 2>&1
    contains completion-zsh-keys "$tmp/zc" "model.heuristic"
fi
check no-args 2 "$IRQSIM"
check unknown-command 2 "$IRQSIM" frob
check missing-file 2 "$IRQSIM" run "$tmp/nope.yaml"
contains missing-file "$tmp/err" "nope.yaml"
contains missing-file "$tmp/err" "irqsim: "
contains missing-file "$tmp/err" "No such file or directory"
# an output that cannot be written is not a failed simulation: exit 4 (issue 14)
check unwritable-out 4 "$IRQSIM" run "$SRC_DIR/scenarios/gib-single.yaml" --quiet --out /proc/irqsim-none/x
contains unwritable-out "$tmp/err" "irqsim: cannot create directory /proc/irqsim-none/x: "
check unwritable-trace 4 "$IRQSIM" run "$SRC_DIR/scenarios/gib-single.yaml" --quiet --trace /nonexistent-dir/t.json
contains unwritable-trace "$tmp/err" "irqsim: cannot write the trace file /nonexistent-dir/t.json: No such file"
# a trace is written under a temporary name and renamed when complete
check trace-renamed 0 "$IRQSIM" run "$SRC_DIR/scenarios/gib-single.yaml" --quiet --trace "$tmp/t.json"
if [ -s "$tmp/t.json" ] && [ ! -e "$tmp/t.json.tmp" ]; then pass=$((pass + 1)); else
    fail=$((fail + 1))
    echo "FAIL trace-renamed: no $tmp/t.json, or its temporary file is left"
fi
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
# --plot records the events over time through the trace code, without a
# trace file: nothing says it writes one ("writing (null)" did)
check plot-no-trace 0 "$IRQSIM" run "$single" --plot --out "$tmp/o4"
lacks plot-no-trace "$tmp/err" "(null)"
lacks plot-no-trace "$tmp/err" "estimated"
# the user story: compare two heuristics with plots, no --out
(cd "$tmp" && "$IRQSIM" compare "$single" --vary model.heuristic=upstream,v5 --plot --quiet \
    >"$tmp/out" 2>"$tmp/err")
[ -s "$tmp/irqsim-out/gib-single/compare.json" ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL compare-default-dir"; cat "$tmp/err"; }
contains compare-default-dir "$tmp/out" "wasted_kicks"

# a run that fails on the way (here its event limit, long before the 1 ms
# of gib-single) reports the time it reached, not the scenario's duration:
# undelivered interrupts are aged, and vCPU states accounted, up to there
check failed-run-time 1 "$IRQSIM" run "$single" --max-events 10 --format json
contains failed-run-time "$tmp/out" '"status": "failed"'
lacks failed-run-time "$tmp/out" '"sim_seconds": 0.001,'
contains failed-run-time "$tmp/err" "event limit of 10 reached at"

check models 0 "$IRQSIM" models
contains models "$tmp/out" "kicker_period"
contains models "$tmp/out" "assumption"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
