#!/usr/bin/env bash
# The benchmarks still run and say what they measured (no speed is checked
# here: timings belong to `make bench`, not to tests).
set -uo pipefail
: "${BUILD_DIR:?build directory}"
scale="$BUILD_DIR/bench-scale" hold="$BUILD_DIR/bench-hold"
if [ ! -x "$scale" ] || [ ! -x "$hold" ]; then
    echo "benchmarks not built (IRQ_BUILD_BENCH=OFF)"
    exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { if eval "$2"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $1: $2"; fi; }
get() { sed -n "s/.*\"$1\": \"\{0,1\}\([^\",}]*\).*/\1/p" "$2"; }

"$scale" --json --sizes 10,20 --duration 20ms --rounds 2 --min-wall 1000 >"$tmp/scale" 2>"$tmp/err"
ok "bench-scale exit" "[ $? = 0 ]"
ok "bench-scale: no complaint (same events in every round)" "[ ! -s $tmp/err ]"
ok "bench-scale: one line per size" "[ \$(wc -l <$tmp/scale) = 2 ]"
# The mix at 10 guests: medium round(3) = 3, large round(0.8) = 1, db
# round(0.2) = 0 -> 1 (at least one), small the other 5: 5*2 + 3*4 + 8 + 16 =
# 46 vCPUs, and round(46 * 96 / 1680) = round(2.63) = 3 host CPUs.
ok "10 guests: 46 vCPUs" "[ \"\$(get vcpus $tmp/scale | head -1)\" = 46 ]"
ok "10 guests: 3 host CPUs" "[ \"\$(get host_cpus $tmp/scale | head -1)\" = 3 ]"
# 20 guests: medium 6, large round(1.6) = 2, db round(0.4) -> 1, small 11:
# 22 + 24 + 16 + 16 = 78 vCPUs, round(78 * 96 / 1680) = round(4.46) = 4 CPUs.
ok "20 guests: 78 vCPUs" "[ \"\$(get vcpus $tmp/scale | tail -1)\" = 78 ]"
ok "20 guests: 4 host CPUs" "[ \"\$(get host_cpus $tmp/scale | tail -1)\" = 4 ]"
ok "bench-scale: runs repeated up to --rounds" "[ \"\$(get rounds $tmp/scale | head -1)\" = 2 ]"
ev=($(get events "$tmp/scale")) irq=($(get interrupts "$tmp/scale")) rss=($(get peak_rss_kib "$tmp/scale"))
ok "events counted" "[ ${ev[0]:-0} -gt 0 ] && [ ${ev[1]:-0} -gt ${ev[0]:-0} ]"
ok "interrupts counted, fewer than events" "[ ${irq[0]:-0} -gt 0 ] && [ ${irq[0]:-0} -lt ${ev[0]:-0} ]"
ok "peak RSS measured" "[ ${rss[0]:-0} -gt 0 ]"
"$scale" --sizes 9 >/dev/null 2>&1
ok "bench-scale: a size below 10 is refused" "[ $? = 2 ]"

"$hold" --json --quick --n 100 >"$tmp/hold"
ok "bench-hold exit" "[ $? = 0 ]"
ok "bench-hold: n" "[ \"\$(get n $tmp/hold)\" = 100 ]"
ok "bench-hold: a ratio" "[ -n \"\$(get ratio $tmp/hold)\" ]"

# make bench's table: a mode it does not know is refused before anything runs
summary="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/bench/summary.sh"
"$summary" "$BUILD_DIR" --fast >/dev/null 2>"$tmp/err"
ok "summary.sh: an unknown mode exits 2" "[ $? = 2 ]"
ok "summary.sh: and says its usage" "grep -q 'usage:' $tmp/err"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
