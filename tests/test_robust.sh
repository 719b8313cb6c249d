#!/usr/bin/env bash
# Hostile input and honest output (issue 14): one case per defect found,
# each failing before its fix. Limits are small so that every case is fast.
set -uo pipefail
# shellcheck source=lib/checks.sh
. "$(dirname "$0")/lib/checks.sh"
scen() { # scen FILE ARRIVALS [GUEST-EXTRA]: one gib guest, one source
    printf 'name: t\nduration: 2ms\nmodel: {name: gib}\nguests:\n  - {name: g, vcpus: 1%s}\nsources:\n  - {name: s, target: g, arrivals: %s}\n' \
        "${3:-}" "$2" >"$1"
}

# ---- load-time refusals: positions, exit 2 -----------------------------------
# arrivals less than a cycle apart on average froze simulated time
for a in "'poisson(1e300/s)'" "'periodic(1e-300ns)'" "'storm(count=1000, window=100ns, period=500ns)'"; do
    scen "$tmp/a.yaml" "$a"
    check "sub-cycle $a" 2 "$IRQSIM" validate "$tmp/a.yaml"
    contains "sub-cycle $a" "$tmp/err" "a.yaml:7:36: bad arrivals"
    contains "sub-cycle $a" "$tmp/err" "at least one clock cycle apart"
done
scen "$tmp/a.yaml" "'poisson(1e9/s)'" # exactly one per cycle on average: allowed
check one-per-cycle 0 "$IRQSIM" validate "$tmp/a.yaml"
# documented minimums, exactly (a 1e-9-of-the-range epsilon let 0 through)
for kv in host.timeslice=0 host.wait_exit=0 model.kicker_period=0 model.max_float_irqs=0; do
    check "minimum $kv" 2 "$IRQSIM" run "$single" --quiet --set "$kv"
    contains "minimum $kv" "$tmp/err" "must be at least 1"
done
check minimum-1ns 0 "$IRQSIM" run "$single" --quiet --set host.timeslice=1ns
# a duration that rounds to 0 cycles says so
printf 'name: x\nduration: 1ms\nclock_hz: 1MHz\nmodel: {name: direct}\nhost: {timeslice: 1ns}\nguests:\n  - {name: g, vcpus: 1}\n' >"$tmp/slow.yaml"
check zero-cycles 2 "$IRQSIM" validate "$tmp/slow.yaml"
contains zero-cycles "$tmp/err" "slow.yaml:5:19: 'timeslice': 1ns is 0 cycles at 1 MHz"
check zero-cycles-default 2 "$IRQSIM" run "$single" --set clock_hz=1MHz
contains zero-cycles-default "$tmp/err" "is 0 cycles at 1 MHz: set 'gal_gisa_cost' or a faster clock_hz"
# output.dir: '' was accepted, then failed without a position
{ cat "$single"; echo "output: {dir: ''}"; } >"$tmp/od.yaml"
check empty-dir 2 "$IRQSIM" validate "$tmp/od.yaml"
contains empty-dir "$tmp/err" "od.yaml:"
contains empty-dir "$tmp/err" "'dir' in 'output' is empty"
# seed: +5 is a whole number in the scenario, and so on the command line, for run and compare
check seed-plus 0 "$IRQSIM" run "$single" --quiet --seed +5 --format json
contains seed-plus "$tmp/out" '"seed": 5'
check seed-plus-compare 0 "$IRQSIM" compare "$single" --vary model.heuristic=upstream,v5 --quiet --seed +5

printf 'name: long\nduration: 100s\nmodel: {name: gib}\nguests:\n  - {name: g, count: 8, vcpus: 2, workload: {busy: exp(20us), idle: exp(20us)}}\nsources:\n  - {name: s, target: g, arrivals: poisson(200k/s)}\n' >"$tmp/long.yaml"
# the progress line is driven by wall time: shown even while simulated time
# stands still (a storm of 1e9 arrivals in one cycle; it used to say nothing)
scen "$tmp/still.yaml" "'storm(count=1000000000, window=1ns)'"
timeout -s INT 4 script -qec "'$IRQSIM' run '$tmp/still.yaml' >/dev/null" /dev/null >"$tmp/prog" 2>&1
contains progress-still "$tmp/prog" "0 of 0.002 s simulated (0.0%)"
contains progress-still "$tmp/prog" "M events so far"

# ---- budgets --------------------------------------------------------------
# a storm into a vCPU that never takes it: held arrivals hit the budget
scen "$tmp/held.yaml" "'storm(count=1000000, window=1ms)'" ", workload: {stopped: true}"
check held-budget 1 "$IRQSIM" run "$tmp/held.yaml" --quiet --max-memory 64k
contains held-budget "$tmp/err" "memory limit of 64 KiB reached holding coalesced interrupts"
contains held-budget "$tmp/err" "--max-memory"
check held-default 0 "$IRQSIM" run "$tmp/held.yaml" --quiet
# the same budgets as scenario keys; the command line wins
{ cat "$tmp/held.yaml"; echo "limits: {max_memory: 64k, max_events: 100000000}"; } >"$tmp/heldl.yaml"
check held-scenario-budget 1 "$IRQSIM" run "$tmp/heldl.yaml" --quiet
contains held-scenario-budget "$tmp/err" "memory limit of 64 KiB reached"
contains held-scenario-budget "$tmp/err" "limits.max_memory raises it"
check held-cli-wins 0 "$IRQSIM" run "$tmp/heldl.yaml" --quiet --max-memory 1G
{ cat "$tmp/held.yaml"; echo "limits: {max_memory: lots}"; } >"$tmp/heldb.yaml"
check bad-limits 2 "$IRQSIM" validate "$tmp/heldb.yaml"
contains bad-limits "$tmp/err" "heldb.yaml:8:22: bad size 'lots' for 'max_memory'"
check bad-max-memory 2 "$IRQSIM" run "$tmp/held.yaml" --max-memory lots
check event-budget 1 "$IRQSIM" run "$single" --quiet --max-events 10
contains event-budget "$tmp/err" "event limit of 10 reached"
# the trace file has a budget (checked every 4096 events) and stays valid JSON
check trace-budget 1 "$IRQSIM" run "$tmp/long.yaml" --quiet --set duration=20ms --trace "$tmp/t.json" \
    --trace-max 64k
contains trace-budget "$tmp/err" "reached its limit of 0.0625 MiB (--trace-max raises it"
tail -c 4 "$tmp/t.json" | grep -q ']}' && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL trace-budget: file not closed"; }
# compare keeps its variants' documents in memory: bounded too
check compare-budget 1 "$IRQSIM" compare "$single" --vary model.heuristic=upstream,v5 --quiet \
    --max-memory 1k
contains compare-budget "$tmp/err" "--max-memory"

# ---- output honesty ---------------------------------------------------------
"$IRQSIM" run "$single" --quiet >/dev/full 2>"$tmp/err"
st=$?
[ "$st" = 4 ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL dev-full: status $st"; }
contains dev-full "$tmp/err" "No space left on device"
"$IRQSIM" run "$single" --quiet --out "$tmp/o0" >/dev/full 2>"$tmp/err"
st=$?
[ "$st" = 4 ] && [ -s "$tmp/o0/summary.json" ] && pass=$((pass + 1)) ||
    { fail=$((fail + 1)); echo "FAIL dev-full-out: status $st, or no summary.json"; }
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
# SIGTERM too, and the text report says it
"$IRQSIM" run "$tmp/long.yaml" --quiet >"$tmp/out" 2>"$tmp/err" &
pid=$!
sleep 1
kill -TERM "$pid"
{ wait "$pid"; } 2>/dev/null
st=$?
[ "$st" = 143 ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL sigterm: status $st"; }
contains sigterm "$tmp/out" "PARTIAL   stopped after"

# compare (in one process) stops at once on SIGINT, leaving no cut file
"$IRQSIM" compare "$tmp/long.yaml" --vary model.heuristic=upstream,v5 --out "$tmp/ci" --quiet \
    >/dev/null 2>"$tmp/err" &
pid=$!
sleep 1
kill -INT "$pid"
{ wait "$pid"; } 2>/dev/null
st=$?
[ "$st" = 130 ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL compare-sigint: status $st"; }
contains compare-sigint "$tmp/err" "stopped by signal 2 during variant 1 of 2"
[ -z "$(ls -A "$tmp/ci")" ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL compare-sigint: files left"; ls -A "$tmp/ci"; }

# sweep: SIGTERM to the main process reaches the workers; a killed main
# process takes its workers with it (they used to run on)
for sig in TERM KILL; do
    "$IRQSIM" sweep "$tmp/long.yaml" --vary model.heuristic=upstream,v5 -j 2 --out "$tmp/sw$sig" \
        --quiet >/dev/null 2>"$tmp/err" &
    pid=$!
    sleep 1
    workers=$(cat "/proc/$pid/task/$pid/children" 2>/dev/null) # no procps needed
    kill -"$sig" "$pid"
    { wait "$pid"; } 2>/dev/null
    st=$?
    sleep 0.5
    alive=0
    for w in $workers; do # running, not a zombie left for an init that does not reap
        state=$(cut -d' ' -f3 "/proc/$w/stat" 2>/dev/null)
        [ -n "$state" ] && [ "$state" != Z ] && alive=$((alive + 1))
    done
    [ -n "$workers" ] && [ "$alive" = 0 ] && pass=$((pass + 1)) ||
        { fail=$((fail + 1)); echo "FAIL sweep-$sig: workers '$workers', $alive alive"; }
    if [ "$sig" = TERM ]; then
        [ "$st" = 143 ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL sweep-TERM: status $st"; }
    fi
done

# latency.csv: times exact past 10 s (%.10g wrote 1.23456789e+10)
printf '12345678901\n' >"$tmp/late.csv"
printf 'name: late\nduration: 13s\nmodel: {name: gib}\nguests:\n  - {name: g, vcpus: 1}\nsources:\n  - {name: s, target: g, arrivals: replay(late.csv)}\n' >"$tmp/late.yaml"
check csv-exact 0 "$IRQSIM" run "$tmp/late.yaml" --quiet --out "$tmp/o4"
contains csv-exact "$tmp/o4/latency.csv" "g,0,12345678901,"

# ---- special files: refused at once, never read whole, never waited on -------
mkfifo "$tmp/fifo.yaml" "$tmp/fifo.csv" "$tmp/fifo.txt"
check fifo-scenario 2 timeout 20 "$IRQSIM" validate "$tmp/fifo.yaml"
contains fifo-scenario "$tmp/err" "a FIFO, not a regular file"
check fifo-compare 2 timeout 20 "$IRQSIM" compare "$tmp/fifo.yaml" --vary seed=1,2
contains fifo-compare "$tmp/err" "not a regular file"
scen "$tmp/fr.yaml" "replay(fifo.csv)"
check fifo-replay 2 timeout 20 "$IRQSIM" validate "$tmp/fr.yaml"
contains fifo-replay "$tmp/err" "a FIFO, not a regular file"
scen "$tmp/fe.yaml" "'poisson(1k/s)'" ", workload: {busy: empirical(fifo.txt)}"
check fifo-empirical 2 timeout 20 "$IRQSIM" validate "$tmp/fe.yaml"
contains fifo-empirical "$tmp/err" "a FIFO, not a regular file"
check dev-zero-scenario 2 timeout 20 "$IRQSIM" validate /dev/zero
mkdir -p "$tmp/m1" "$tmp/m2" "$tmp/m3"
ln -s /dev/zero "$tmp/m1/variant-1.json"
check merge-dev-zero 2 timeout 20 "$IRQSIM" merge "$tmp/m1"
contains merge-dev-zero "$tmp/err" "not a regular file"
mkfifo "$tmp/m2/variant-1.json"
check merge-fifo 2 timeout 20 "$IRQSIM" merge "$tmp/m2"
truncate -s 2G "$tmp/m3/variant-1.json"
check merge-sparse 2 timeout 20 "$IRQSIM" merge "$tmp/m3"
contains merge-sparse "$tmp/err" "larger than the limit"

# ---- merge checks what it reads ------------------------------------------------
printf '1000\n500000\n' >"$tmp/r.csv"
scen "$tmp/rs.yaml" "replay(r.csv)"
check shard-1 0 "$IRQSIM" sweep "$tmp/rs.yaml" --vary model.heuristic=upstream,v5 --shard 1/2 \
    --out "$tmp/s1" --quiet
printf '2000\n600000\n' >"$tmp/r.csv" # same name, other data
check shard-2 0 "$IRQSIM" sweep "$tmp/rs.yaml" --vary model.heuristic=upstream,v5 --shard 2/2 \
    --out "$tmp/s2" --quiet
check merge-other-data 2 "$IRQSIM" merge "$tmp/s1" "$tmp/s2"
contains merge-other-data "$tmp/err" "another sweep"
check compare-docs 0 "$IRQSIM" compare "$single" --vary model.heuristic=upstream,v5 --out "$tmp/c" --quiet
cp -r "$tmp/c" "$tmp/c2"
sed -i 's/"injected": 1,/"injected": 2,/' "$tmp/c2/variant-1.json"
check merge-conservation 2 "$IRQSIM" merge "$tmp/c2"
contains merge-conservation "$tmp/err" "break conservation"
cp -r "$tmp/c" "$tmp/c3"
sed -i 's/"bins": \[\[\([0-9]*\), \([0-9]*\)\]/"bins": [[\1, \2], [\1, \2]/' "$tmp/c3/variant-1.json"
check merge-hist-order 2 "$IRQSIM" merge "$tmp/c3"
contains merge-hist-order "$tmp/err" "ascending order"
check merge-ok 0 "$IRQSIM" merge "$tmp/c"

# ---- terminal safety: control characters from files are escaped -----------------
printf 'name: "a\\x1b[31mred\\x07"\nduration: 1ms\nmodel: {name: direct}\nguests:\n  - {name: g, vcpus: 1}\n' >"$tmp/cc.yaml"
check escape-report 0 "$IRQSIM" run "$tmp/cc.yaml" --quiet
contains escape-report "$tmp/out" 'scenario  a\x1b[31mred\x07  (model'
grep -q $'\x1b' "$tmp/out" && { fail=$((fail + 1)); echo "FAIL escape-report: ESC printed"; } || pass=$((pass + 1))
printf 'sources:\n  - {name: s, target: g, arrivals: "bad\\x1b[2J"}\n' >>"$tmp/cc.yaml"
check escape-message 2 "$IRQSIM" validate "$tmp/cc.yaml"
contains escape-message "$tmp/err" "bad arrivals 'bad\x1b[2J'"
grep -q $'\x1b' "$tmp/err" && { fail=$((fail + 1)); echo "FAIL escape-message: ESC printed"; } || pass=$((pass + 1))
# replay fields too long or holding a NUL get their reason
head -c 5000 /dev/zero | tr '\0' 1 >"$tmp/long.csv"
printf '100\n2\0000\n' >"$tmp/nul.csv"
scen "$tmp/rl.yaml" "replay(long.csv)"
check replay-long 2 "$IRQSIM" validate "$tmp/rl.yaml"
contains replay-long "$tmp/err" "long.csv:1:1: bad timestamp '1111"
contains replay-long "$tmp/err" "the field is 5000 bytes long, at most 127"
scen "$tmp/rn.yaml" "replay(nul.csv)"
check replay-nul 2 "$IRQSIM" validate "$tmp/rn.yaml"
contains replay-nul "$tmp/err" "nul.csv:2:1: bad timestamp '2' (the line holds a NUL byte"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
