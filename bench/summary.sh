#!/usr/bin/env bash
# make bench: every benchmark, one table. Runs the programs in BUILD (default
# build/) with --json (bench-pendq: its text lines) and prints one row per
# figure, with its target.
#
# usage: bench/summary.sh [BUILD] [--quick]
#   --quick: bench-hold's short rounds, bench-sim once, bench-scale up to
#            1,000 guests (a smoke run; the figures are noisier)
set -euo pipefail
build=${1:-build}
quick=${2:-}
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
scenario="$here/../scenarios/many-guests.yaml"

hold_flags=() sim_rounds=5 scale_flags=() pendq_flags=()
if [ "$quick" = --quick ]; then
    hold_flags=(--quick) sim_rounds=1 scale_flags=(--max 1000) pendq_flags=(--quick)
fi

# get KEY < one JSON object per line: the value of "KEY" in each line.
get() { sed -n "s/.*\"$1\": \"\{0,1\}\([^\",}]*\).*/\1/p"; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "running bench-hold (plain and tuned baselines), bench-sim, bench-scale, bench-pendq ..." >&2
"$build/bench-hold" --json "${hold_flags[@]}" >"$tmp/plain"
"$build/bench-hold" --json --baseline=tuned "${hold_flags[@]}" >"$tmp/tuned"
"$build/bench-sim" --json --rounds "$sim_rounds" "$scenario" >"$tmp/sim"
"$build/bench-scale" --json "${scale_flags[@]}" >"$tmp/scale"
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
# bench-pendq lines: "fifo N=16      400.0 ns/step  bytes 904 at the start, 904 at the end"
while read -r order n ns _ _ b0 _ _ _ b1 _; do
    row bench-pendq "$order $n" "ns/step" "$ns" ""
    row "" "" "bytes at start, end" "${b0%,} $b1" ""
done < <(grep -E '^(fifo|prio) N=' "$tmp/pendq")
echo "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) (timings are noisy" \
    "when the machine is shared)"
