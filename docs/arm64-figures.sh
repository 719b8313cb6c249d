#!/usr/bin/env bash
# The tables of docs/rvic.md: runs the `irqsim compare` commands the doc
# gives and prints the tables in Markdown (tests/test_arm64_doc.sh checks
# that the doc holds exactly this output). Usage:
#   docs/arm64-figures.sh [IRQSIM] [PLOT_DIR]
# With PLOT_DIR it also writes there the rate sweeps as CSV and, with
# gnuplot, overhead-vs-rate.png (docs/arm64-overhead.png is that picture).
set -euo pipefail
IRQSIM=${1:-${IRQSIM:-build/irqsim}}
PLOT_DIR=${2:-}
SRC_DIR=${SRC_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

chips=model.irqchip=rvic,gicv3,gicv4.1
rates='sources.msi.arrivals=poisson(2k/s),poisson(20k/s),poisson(100k/s),poisson(200k/s)'
ipis='sources.ipi.arrivals=poisson(1k/s),poisson(10k/s),poisson(50k/s)'
"$IRQSIM" compare "$SRC_DIR/scenarios/rvic-vs-gic.yaml" --vary "$chips" --quiet \
    --out "$tmp/mix" >/dev/null
# Other platforms' micro-bench columns (DOMAIN.md section 4), derived the same way as Altra's:
# hvc; ipi_exit = ipi - hvc - eoi; host_irq_cost = timer_10ms - eoi; SGI trap = hvc.
"$IRQSIM" compare "$SRC_DIR/scenarios/rvic-vs-gic.yaml" --vary "$chips" --quiet --out "$tmp/kunpeng" \
    --set model.hvc_cost=408ns --set model.sgi_trap_cost=408ns --set host.ipi_exit=1263ns \
    --set model.host_irq_cost=1796ns --set model.mi_cost=1796ns --set model.doorbell_cost=1796ns \
    >/dev/null
"$IRQSIM" compare "$SRC_DIR/scenarios/rvic-vs-gic.yaml" --vary "$chips" --quiet --out "$tmp/phytium" \
    --set model.hvc_cost=1536ns --set model.sgi_trap_cost=1536ns --set host.ipi_exit=3398ns \
    --set model.host_irq_cost=4923ns --set model.mi_cost=4923ns --set model.doorbell_cost=4923ns \
    >/dev/null
"$IRQSIM" compare "$SRC_DIR/scenarios/rvic-vs-gic.yaml" --set model.irqchip=gicv3 \
    --vary model.gic_switch_cost=0ns,50ns,200ns --quiet --out "$tmp/switch" >/dev/null
for inj in software passthrough; do
    "$IRQSIM" compare "$SRC_DIR/scenarios/rvic-rate.yaml" --vary "$chips" --vary "$rates" \
        --set "sources.msi.injection=$inj" --quiet --out "$tmp/$inj" >/dev/null
done
"$IRQSIM" compare "$SRC_DIR/scenarios/rvic-rate.yaml" --vary "$chips" --vary "$ipis" --quiet \
    --out "$tmp/ipi" >/dev/null

# awk over compare.csv, columns by name. v = vCPUs, s = simulated seconds,
# hz = clock: "% of a CPU per vCPU" = cycles / hz / (v s) x 100.
table() {
    awk -F, -v v="$2" -v s="$3" -v hz="$4" -v mode="$5" -v csv="${6:-}" '
    NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    {
        chip = (mode == "switch") ? "gicv3" : $c["model.irqchip"]
        rate = (mode == "msi") ? $c["sources.msi.arrivals"] : (mode == "ipi") ? $c["sources.ipi.arrivals"] : (mode == "switch") ? $c["model.gic_switch_cost"] : "-"
        SW[rate] = $c["gic_switches"] / (v * s)
        d = $c["delivered"]; h = $c["host_irqchip_cycles"]; g = $c["guest_trap_cycles"]
        key = rate; if (!(key in seen)) { seen[key] = 1; order[n++] = key }
        H[key, chip] = h / hz / (v * s) * 100; G[key, chip] = g / hz / (v * s) * 100
        NS[key, chip] = h / hz * 1e9 / d
        if (chip == "gicv3") D[key] = d / (v * s)
        HV[key, chip] = $c["hvc_traps"] / d; P50[key, chip] = $c["latency_ns.p50"]
        P99[key, chip] = $c["latency_ns.p99"]
    }
    END {
        if (mode == "switch") {
            print "| gic_switch_cost | gicv3 controller host time, % of a CPU per vCPU | entries paying it /vCPU/s |"
            print "|---|---|---|"
            for (k = 0; k < n; k++)
                printf "| %s | %.3f | %.0f |\n", order[k], H[order[k], "gicv3"], SW[order[k]]
            exit
        }
        if (mode == "mix") {
            print "| irqchip | delivered /vCPU/s (gicv3) | controller host time, % of a CPU per vCPU | guest time lost, % | host ns per interrupt | hypercalls per interrupt | latency p50 / p99, us |"
            print "|---|---|---|---|---|---|---|"
            split("rvic gicv3 gicv4.1", ch, " ")
            for (k = 1; k <= 3; k++)
                printf "| %s | %.0f | %.3f | %.3f | %.0f | %.2f | %.1f / %.0f |\n", ch[k], D["-"],
                    H["-", ch[k]], G["-", ch[k]], NS["-", ch[k]], HV["-", ch[k]],
                    P50["-", ch[k]] / 1000, P99["-", ch[k]] / 1000
            printf "\nrVIC over gicv3: +%.3f %% of a CPU per vCPU, +%.0f ns per interrupt; over gicv4.1: +%.3f %%, +%.0f ns.\n",
                H["-", "rvic"] - H["-", "gicv3"], NS["-", "rvic"] - NS["-", "gicv3"],
                H["-", "rvic"] - H["-", "gicv4.1"], NS["-", "rvic"] - NS["-", "gicv4.1"]
            exit
        }
        print "| " (mode == "msi" ? "MSI rate per guest" : "IPI rate per vCPU") " | delivered /vCPU/s (gicv3) | rvic % | gicv3 % | gicv4.1 % | rvic - gicv3 | rvic - gicv4.1 | extra ns per interrupt over gicv3 |"
        print "|---|---|---|---|---|---|---|---|"
        for (k = 0; k < n; k++) {
            r = order[k]; dx = H[r, "rvic"] - H[r, "gicv3"]
            printf "| %s | %.0f | %.3f | %.3f | %.3f | %+.3f | %+.3f | %+.0f |\n", r, D[r],
                H[r, "rvic"], H[r, "gicv3"], H[r, "gicv4.1"], dx, H[r, "rvic"] - H[r, "gicv4.1"],
                NS[r, "rvic"] - NS[r, "gicv3"]
            if (k > 0 && prev < 1 && dx >= 1)
                cross = pd + (1 - prev) * (D[r] - pd) / (dx - prev)
            prev = dx; pd = D[r]
            if (csv != "")
                printf "%.0f,%.4f,%.4f,%.4f\n", D[r], H[r, "rvic"], H[r, "gicv3"], H[r, "gicv4.1"] > csv
        }
        if (cross)
            printf "\nrVIC - gicv3 crosses 1 %% of a CPU per vCPU at about %.0f interrupts per vCPU per second (linear between the rows around it).\n", cross
        else
            print "\nrVIC - gicv3 does not cross 1 % of a CPU per vCPU in this range."
    }' "$1"
}

echo "### Realistic mix (scenarios/rvic-vs-gic.yaml: 128 vCPUs, 200 ms)"
echo
table "$tmp/mix/compare.csv" 128 0.2 3e9 mix
for p in kunpeng phytium; do
    echo
    case $p in
    kunpeng) echo "### Same mix, Kunpeng 920 costs (hvc 408 ns, kick exit 1263 ns, timer exit 1796 ns)" ;;
    phytium) echo "### Same mix, Phytium S2500 costs (hvc 1536 ns, kick exit 3398 ns, timer exit 4923 ns)" ;;
    esac
    echo
    table "$tmp/$p/compare.csv" 128 0.2 3e9 mix
done
echo
echo "### GIC save/restore per entry (gic_switch_cost, no public figure), gicv3, same mix"
echo
table "$tmp/switch/compare.csv" 128 0.2 3e9 switch
for inj in software passthrough; do
    echo
    echo "### MSI rate sweep, $inj MSIs (scenarios/rvic-rate.yaml: 32 vCPUs, 100 ms)"
    echo
    table "$tmp/$inj/compare.csv" 32 0.1 3e9 msi "${PLOT_DIR:+$PLOT_DIR/msi-$inj.csv}"
done
echo
echo "### IPI rate sweep (scenarios/rvic-rate.yaml, MSIs at 1k/s per vCPU)"
echo
table "$tmp/ipi/compare.csv" 32 0.1 3e9 ipi "${PLOT_DIR:+$PLOT_DIR/ipi.csv}"

if [ -n "$PLOT_DIR" ] && command -v gnuplot >/dev/null; then
    cat >"$PLOT_DIR/overhead-vs-rate.gp" <<'GP'
set terminal pngcairo size 1100,700 font ",11"
set output "overhead-vs-rate.png"
set datafile separator ","
set title "Controller host time per vCPU against the interrupt rate (rvic-rate.yaml, Altra costs)"
set xlabel "interrupts delivered per vCPU per second"
set ylabel "% of a CPU per vCPU"
set key top left
set grid
set yrange [0:*]
set arrow from graph 0, first 1 to graph 1, first 1 nohead dashtype 2
set label "1 % of a CPU" at graph 0.85, first 1.3
plot "msi-software.csv" u 1:2 w lp t "rVIC, virtio MSIs", \
     "" u 1:3 w lp t "GICv3, virtio MSIs", \
     "msi-passthrough.csv" u 1:4 w lp t "GICv4.1, pass-through MSIs (vLPIs)", \
     "ipi.csv" u 1:2 w lp t "rVIC, IPIs", \
     "" u 1:3 w lp t "GICv3, IPIs", \
     "" u 1:4 w lp t "GICv4.1, IPIs (vSGIs)", \
     "msi-software.csv" u 1:($2-$3) w lp lw 2 dt 3 t "rVIC - GICv3, MSIs", \
     "ipi.csv" u 1:($2-$3) w lp lw 2 dt 3 t "rVIC - GICv3, IPIs"
GP
    (cd "$PLOT_DIR" && gnuplot overhead-vs-rate.gp)
fi
