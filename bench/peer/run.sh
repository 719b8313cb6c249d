#!/usr/bin/env bash
# make bench-peer: the hold model in irqsim's engine (build/bench-hold) and in
# SimPy (bench/peer/hold_simpy.py, Debian's python3-simpy), same N, same mean
# increment; prints both speeds and their ratio. Both run here, one after the
# other, so a loaded machine slows both.
#
# Only the hold model: the GIB-scenario peer model the issue asks for (a SimPy
# model of a small GIB scenario checked against irqsim's counters) is not
# written yet (docs/performance.md).
#
# usage: bench/peer/run.sh [BUILD] [N...]
set -euo pipefail
build=${1:-build}
shift || true
ns=("$@")
[ ${#ns[@]} -gt 0 ] || ns=(100 1000 10000)
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python=/usr/bin/python3 # Debian's, where python3-simpy installs
get() { sed -n "s/.*\"$1\": \"\{0,1\}\([^\",}]*\).*/\1/p"; }
printf '%8s %16s %16s %10s  %s\n' N "irqsim ev/s" "SimPy ev/s" ratio "target >= 100"
for n in "${ns[@]}"; do
    ours=$("$build/bench-hold" --json --n "$n" | get engine_events_per_s)
    theirs=$("$python" "$here/hold_simpy.py" "$n" | get events_per_s)
    printf '%8s %16.4g %16.4g %10.0f\n' "$n" "$ours" "$theirs" \
        "$(awk -v a="$ours" -v b="$theirs" 'BEGIN{print a/b}')"
done
