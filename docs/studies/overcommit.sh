#!/usr/bin/env bash
# The overcommit study (docs/studies/overcommit.md): runs the sweep and
# writes, into OUT, table.md (the table the study shows), overcommit.dat
# and, when gnuplot is there, overcommit.png.
#   docs/studies/overcommit.sh IRQSIM OUT
# The sweep: 8 vCPU-to-CPU ratios x 3 heuristics x 3 replications of
# scenarios/overcommit.yaml (200 ms each), common random numbers.
set -euo pipefail
irqsim=${1:?usage: overcommit.sh IRQSIM OUT}
out=${2:?usage: overcommit.sh IRQSIM OUT}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
scenario="$here/../../scenarios/overcommit.yaml"
mkdir -p "$out"
"$irqsim" sweep "$scenario" --out "$out/sweep" --quiet --replications 3 -j 2 \
    --vary host.cpus=320,160,145,133,123,107,80,53 \
    --vary model.heuristic=upstream,v5,no-gisa >/dev/null

# compare.csv -> one row per variant: ratio (160 vCPUs / cpus), heuristic,
# per delivered interrupt (ratios of the replication means) wake-ups,
# kicks, wasted kicks, GAL interruptions; p50 and p99 latency (mean and 95 %
# interval half-width over the replications, in us).
awk -F, -v dat="$out/overcommit.dat" '
NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
function v(name) { return $(col[name]) + 0 }
function half(name) { return (v(name ".ci95_hi") - v(name ".ci95_lo")) / 2 }
{
    ratio = 160 / v("host.cpus"); d = v("delivered"); h = $(col["model.heuristic"])
    row[NR] = sprintf("| %.2f | %s | %.3f | %.3f | %.3f | %.3f | %.1f ±%.1f | %.1f ±%.1f |",
        ratio, h, v("halt_wakeup") / d, v("kicks") / d, v("wasted_kicks") / d,
        v("gal_interrupts") / d, v("latency_ns.p50") / 1e3, half("latency_ns.p50") / 1e3,
        v("latency_ns.p99") / 1e3, half("latency_ns.p99") / 1e3)
    key[NR] = sprintf("%s %09.4f", h, ratio)
    printf "%s %.4f %.5f %.5f %.5f %.5f %.3f %.3f\n", h, ratio, v("halt_wakeup") / d,
        v("kicks") / d, v("wasted_kicks") / d, v("gal_interrupts") / d,
        v("latency_ns.p50") / 1e3, v("latency_ns.p99") / 1e3 > (dat ".unsorted")
}
END {
    print "| vCPUs per CPU | heuristic | wake-ups / irq | kicks / irq | wasted kicks / irq | GAL / irq | p50 (us) | p99 (us) |"
    print "|---|---|---|---|---|---|---|---|"
    n = 0
    for (i in key) order[++n] = i
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
        if (key[order[j]] < key[order[i]]) { t = order[i]; order[i] = order[j]; order[j] = t }
    for (i = 1; i <= n; i++) print row[order[i]]
}' "$out/sweep/compare.csv" >"$out/table.md"
sort -k1,1 -k2,2g "$out/overcommit.dat.unsorted" >"$out/overcommit.dat"
rm -f "$out/overcommit.dat.unsorted"

if command -v gnuplot >/dev/null; then
    gnuplot <<GP
set terminal pngcairo size 1400,900 font ",12"
set output "$out/overcommit.png"
set multiplot layout 2,2 title "overcommit.yaml: 160 vCPUs, 200 ms, 3 replications (means), seed 1"
set key outside bottom center horizontal
set xlabel "vCPUs per host CPU"
set grid
dat = "$out/overcommit.dat"
set title "halt wake-ups per delivered interrupt"
plot for [h in "upstream v5 no-gisa"] dat using 2:(strcol(1) eq h ? \$3 : 1/0) with linespoints title h
set title "wasted kicks per delivered interrupt"
plot for [h in "upstream v5 no-gisa"] dat using 2:(strcol(1) eq h ? \$5 : 1/0) with linespoints title h
set title "GAL interruptions per delivered interrupt"
plot for [h in "upstream v5 no-gisa"] dat using 2:(strcol(1) eq h ? \$6 : 1/0) with linespoints title h
set title "latency p50 (solid) and p99 (dashed), us"
set logscale y
plot for [h in "upstream v5 no-gisa"] dat using 2:(strcol(1) eq h ? \$7 : 1/0) with linespoints title h." p50", \
     for [h in "upstream v5 no-gisa"] dat using 2:(strcol(1) eq h ? \$8 : 1/0) with linespoints dt 2 title h." p99"
unset multiplot
GP
fi
