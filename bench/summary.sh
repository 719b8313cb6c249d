#!/usr/bin/env bash
# make bench: every benchmark, one table. Runs the programs in BUILD (default
# build/) with --json (bench-pendq: its text lines) and prints one row per
# figure, with its target.
#
# Memory over simulated time: bench-scale's peak RSS at 500 guests after
# 0.25 s and after 16 s (with --long also at 10,000 guests, about 25 CPU
# minutes more). The SimPy comparison: bench/peer/gib_check.py once (the GIB
# scenario, 20 s, 8 irqsim seeds; it also checks that the two agree), when
# python3-simpy is installed (make bench installs it, as make bench-peer).
#
# usage: bench/summary.sh [BUILD] [--quick | --long]
#   --quick: bench-hold's short rounds, bench-sim once, bench-scale up to
#            1,000 guests, memory to 2 s only, the SimPy run 2 s (a smoke
#            run; the figures are noisier)
#   --long:  memory over time at 10,000 guests too
set -euo pipefail
build=${1:-build}
mode=${2:-}
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
scenario="$here/../scenarios/many-guests.yaml"

hold_flags=() sim_rounds=5 scale_flags=() pendq_flags=() mem_end=16s mem_sizes=(500)
peer_seconds=20 peer_runs=8
case "$mode" in
--quick)
    hold_flags=(--quick) sim_rounds=1 scale_flags=(--max 1000) pendq_flags=(--quick)
    mem_end=2s peer_seconds=2 peer_runs=3
    ;;
--long) mem_sizes=(500 10000) ;;
"") ;;
*)
    echo "usage: $0 [BUILD] [--quick | --long]" >&2
    exit 2
    ;;
esac

# get KEY < one JSON object per line: the value of "KEY" in each line.
get() { sed -n "s/.*\"$1\": \"\{0,1\}\([^\",}]*\).*/\1/p"; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "running bench-hold (plain and tuned baselines), bench-sim, bench-scale (the sizes, then" \
    "memory at 0.25 s and $mem_end), the SimPy GIB check, bench-pendq ..." >&2
"$build/bench-hold" --json "${hold_flags[@]}" >"$tmp/plain"
"$build/bench-hold" --json --baseline=tuned "${hold_flags[@]}" >"$tmp/tuned"
"$build/bench-sim" --json --rounds "$sim_rounds" "$scenario" >"$tmp/sim"
"$build/bench-scale" --json "${scale_flags[@]}" >"$tmp/scale"
mem_sizes_csv=$(IFS=,; echo "${mem_sizes[*]}")
"$build/bench-scale" --json --rounds 1 --sizes "$mem_sizes_csv" --duration 0.25s >"$tmp/mem0"
"$build/bench-scale" --json --rounds 1 --sizes "$mem_sizes_csv" --duration "$mem_end" >"$tmp/mem1"
peer=""
if /usr/bin/python3 -c 'import SimPy.Simulation, yaml' 2>/dev/null; then
    peer=$(/usr/bin/python3 "$here/peer/gib_check.py" "$build/irqsim" --seconds "$peer_seconds" \
        --runs "$peer_runs" 2>&1) && peer_ok=1 || peer_ok=0
fi
if [ -x "$build/bench-pendq" ]; then
    "$build/bench-pendq" "${pendq_flags[@]}" >"$tmp/pendq"
else
    : >"$tmp/pendq"
fi

row() { printf '%-12s %-22s %-26s %12s  %s\n' "$@"; }
row benchmark case figure value target
row ------------ ---------------------- -------------------------- ------------ ---------
paste <(get n <"$tmp/plain") <(get engine_events_per_s <"$tmp/plain") \
    <(get ratio <"$tmp/plain") <(get ratio <"$tmp/tuned") |
    while read -r n ev rp rt; do
        row bench-hold "N = $n" "engine events/s" "$(printf '%.3g' "$ev")" ""
        row "" "" "ratio to plain heap" "$rp" ">= 0.8"
        if [ "$n" -ge 1000000 ]; then t=">= 0.6"; else t=">= 0.8"; fi
        row "" "" "ratio to tuned heap" "$rt" "$t"
    done
row bench-sim "many-guests, best of $sim_rounds" "events/s" \
    "$(printf '%.3g' "$(get events_per_s <"$tmp/sim")")" ">= 12e6"
first=""
paste <(get guests <"$tmp/scale") <(get ns_per_event <"$tmp/scale") \
    <(get ns_per_interrupt <"$tmp/scale") <(get peak_rss_kib <"$tmp/scale") |
    while read -r g ne ni rss; do
        row bench-scale "$g guests" "ns/event" "$ne" ""
        row "" "" "ns/interrupt" "$ni" ""
        row "" "" "peak RSS (MiB)" "$(awk -v k="$rss" 'BEGIN{printf "%.1f", k/1024}')" \
            "$([ "$g" = 10000 ] && echo '< 64' || true)"
    done
ne=($(get ns_per_event <"$tmp/scale"))
row "" "largest/smallest" "ns/event ratio" \
    "$(awk -v a="${ne[0]}" -v b="${ne[${#ne[@]}-1]}" 'BEGIN{printf "%.2f", b/a}')" "<= 1.5"
paste <(get guests <"$tmp/mem0") <(get peak_rss_kib <"$tmp/mem0") <(get peak_rss_kib <"$tmp/mem1") |
    while read -r g r0 r1; do
        row bench-scale "$g guests 0.25s/$mem_end" "peak RSS (MiB)" \
            "$(awk -v a="$r0" -v b="$r1" 'BEGIN{printf "%.1f %.1f", a/1024, b/1024}')" \
            "$([ "$g" = 10000 ] && echo '< 64' || true)"
        row "" "" "growth" "$(awk -v a="$r0" -v b="$r1" 'BEGIN{printf "%+.1f %%", 100*(b-a)/a}')" \
            "<= 5 % (at 16 s)"
    done
# gib_check.py's speed table ends with "  ratio   WALL   CPU   (irqsim over SimPy ...".
if [ -n "$peer" ]; then
    ratios=$(awk '$1 == "ratio" {print $2, $3; exit}' <<<"$peer")
    if [ "$peer_ok" = 1 ]; then
        verdict=agree
    elif [ "$mode" = --quick ]; then
        verdict="not judged (--quick: too short)"
    else
        verdict="FAIL: see make bench-peer"
    fi
    row bench-peer "GIB scenario, $peer_seconds s" "irqsim/SimPy (wall, CPU)" "$ratios" ">= 100"
    row "" "" "counters, mean latency" "$verdict" ""
else
    row bench-peer "GIB scenario" "irqsim/SimPy" "not run" "(python3-simpy: make bench-peer)"
fi
# bench-pendq lines: "fifo N=16      400.0 ns/step  bytes 904 at the start, 904 at the end"
while read -r order n ns _ _ b0 _ _ _ b1 _; do
    row bench-pendq "$order $n" "ns/step" "$ns" ""
    row "" "" "bytes at start, end" "${b0%,} $b1" ""
done < <(grep -E '^(fifo|prio) N=' "$tmp/pendq")
echo "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) (timings are noisy" \
    "when the machine is shared)"
# The SimPy model disagreeing with irqsim is a finding, not noise: fail.
if [ -n "$peer" ] && [ "$peer_ok" != 1 ] && [ "$mode" != --quick ]; then
    exit 1
fi
