#!/usr/bin/env bash
# make bench-peer: irqsim against SimPy (Debian's python3-simpy, SimPy 2.3).
#
# 1. The hold model: irqsim's engine (build/bench-hold) and SimPy
#    (bench/peer/hold_simpy.py), same N, same mean increment; both speeds and
#    their ratio.
# 2. A GIB scenario (bench/peer/gib-peer.yaml) in irqsim and in a SimPy model
#    of the same scenario (bench/peer/gib_simpy.py, written from the docs):
#    bench/peer/gib_check.py compares the counters per interrupt and the mean
#    latency, prints both speeds and their ratio, and fails (exit 1) if the
#    two disagree beyond their tolerance (see gib_check.py). It runs twice:
#    as written (the 50 us kicker: a kicked vCPU is nearly always back before
#    the next tick), and with a 4 us kicker, so that ticks find the kicked
#    vCPU still waking: that run checks the kicked_mask rule and the
#    re-arming (hrtimer_forward_now) that the first run hardly exercises.
#
# Both run here, one after the other, so a loaded machine slows both; the
# machine is shared, so the speeds are noisy (docs/performance.md, "Peer").
#
# usage: bench/peer/run.sh [BUILD] [N...]
#   GIB_PEER_SECONDS (default 20): simulated seconds of each GIB run
#   GIB_PEER_RUNS (default 8): irqsim seeds of the GIB scenario
set -euo pipefail
build=${1:-build}
shift || true
ns=("$@")
[ ${#ns[@]} -gt 0 ] || ns=(100 1000 10000)
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python=/usr/bin/python3 # Debian's, where python3-simpy installs
get() { sed -n "s/.*\"$1\": \"\{0,1\}\([^\",}]*\).*/\1/p"; }
echo "hold model (N timers, exponential increments):"
printf '%8s %16s %16s %10s  %s\n' N "irqsim ev/s" "SimPy ev/s" ratio "target >= 100"
for n in "${ns[@]}"; do
    ours=$("$build/bench-hold" --json --n "$n" | get engine_events_per_s)
    theirs=$("$python" "$here/hold_simpy.py" "$n" | get events_per_s)
    printf '%8s %16.4g %16.4g %10.0f\n' "$n" "$ours" "$theirs" \
        "$(awk -v a="$ours" -v b="$theirs" 'BEGIN{print a/b}')"
done
gib=("$python" "$here/gib_check.py" "$build/irqsim" --seconds "${GIB_PEER_SECONDS:-20}"
    --runs "${GIB_PEER_RUNS:-8}")
rc=0
echo
"${gib[@]}" || rc=1
echo
"${gib[@]}" --set model.kicker_period=4us || rc=1
exit $rc
