#!/usr/bin/python3
"""make bench-peer, GIB part: the scenario bench/peer/gib-peer.yaml in irqsim
and in the SimPy model bench/peer/gib_simpy.py, the same simulated duration
in both. Prints the per-interrupt counters and the mean latency side by side,
then the speeds (interrupts per wall second of the run, set-up excluded, and
per CPU second) and their ratios. Exits 1 when a figure differs by more than its tolerance.

irqsim runs K times (seeds 1..K): their mean is the reference and their
spread estimates the noise of one run. SimPy runs once (seed 1001): if the
two models agree, its figures scatter around irqsim's like one more seed, so
the difference has a standard deviation of sigma * sqrt(1 + 1/K).

Tolerances (relative to irqsim's mean):
  3 %  for the mean latency and every counter of at least 0.05 per interrupt;
  8 %  for the rarer ones (alerts_suppressed, wasted_kicks, halt_sleep_again,
       coalesced): the default run sees only about 4,000 to 19,000 of each,
       so their noise is about 1 to 1.3 %, and 3 % would be only 2 to 3 sigma.
A tolerance is meaningful only if the noise is well below it: a figure whose
estimated noise (sigma of the difference) exceeds a quarter of its tolerance
fails the check as "run too short" rather than being judged.

usage: gib_check.py IRQSIM [--seconds S] [--runs K] [--set KEY=VALUE]...
  --set: a scenario override, given to both (irqsim's --set; the SimPy model
         takes the same paths)
"""
import json
import os
import resource
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SCENARIO = os.path.join(HERE, "gib-peer.yaml")
SIMPY_SEED = 1001
TOL, TOL_RARE, RARE = 0.03, 0.08, 0.05
NOISE_SHARE = 0.25  # the noise must stay below this share of the tolerance

FIGURES = ("gal_interrupts", "alert_list_entries", "alerts_suppressed", "kicker_ticks",
           "timer_restarts", "iam_restores", "kicks", "wasted_kicks", "direct_deliveries",
           "deliver_io", "exit_wait_state", "halt_wakeup", "halt_sleep_again", "timer_wakeups",
           "coalesced")


def children_cpu():
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def irqsim_run(irqsim, seconds, seed, sets):
    c0 = children_cpu()
    extra = [a for kv in sets for a in ("--set", kv)]
    out = subprocess.run([irqsim, "run", SCENARIO, "--format", "json", "--seed", str(seed),
                          "--set", "duration=%gs" % seconds] + extra,
                         check=True, stdout=subprocess.PIPE, universal_newlines=True).stdout
    cpu = children_cpu() - c0  # the whole process: set-up and report too (small)
    r = json.loads(out)
    t = r["totals"]
    if r["status"] != "ok" or t["injected"] != t["delivered"] + t["coalesced"] + t["pending"]:
        raise SystemExit("gib_check: irqsim run not ok: %s" % out[:300])
    fig = {k: t[k] / t["injected"] for k in FIGURES}
    fig["latency_mean_ns"] = t["latency_ns"]["mean"]
    return fig, t["injected"], r["wall_seconds"], r["events"], cpu


def simpy_run(seconds, sets):
    extra = [a for kv in sets for a in ("--set", kv)]
    out = subprocess.run(["/usr/bin/python3", os.path.join(HERE, "gib_simpy.py"), SCENARIO,
                          "--duration", str(seconds), "--seed", str(SIMPY_SEED)] + extra,
                         check=True, stdout=subprocess.PIPE, universal_newlines=True).stdout
    r = json.loads(out)
    if r["injected"] != r["delivered"] + r["coalesced"] + r["pending"]:
        raise SystemExit("gib_check: SimPy model lost interrupts: %s" % out)
    fig = {k: r[k] / r["injected"] for k in FIGURES}
    fig["latency_mean_ns"] = r["latency_mean_ns"]
    return fig, r["injected"], r["wall_seconds"], r["cpu_seconds"]


def main(argv):
    irqsim, seconds, runs, sets = argv[1], 20.0, 8, []
    args = iter(argv[2:])
    for a in args:
        if a == "--seconds":
            seconds = float(next(args))
        elif a == "--runs":
            runs = int(next(args))
        elif a == "--set":
            sets.append(next(args))
        else:
            raise SystemExit(__doc__)
    if runs < 3:
        raise SystemExit("gib_check: --runs must be at least 3 (the noise estimate needs them)")
    print("GIB scenario %s%s, %g s simulated: irqsim seeds 1..%d, SimPy seed %d (running ...)"
          % (os.path.relpath(SCENARIO), "".join(" --set " + kv for kv in sets), seconds, runs,
             SIMPY_SEED), flush=True)
    ours = [irqsim_run(irqsim, seconds, s, sets) for s in range(1, runs + 1)]
    theirs, n_simpy, wall_simpy, cpu_simpy = simpy_run(seconds, sets)

    print("%-20s %12s %12s %8s %8s %6s  %s" % ("per interrupt", "irqsim", "SimPy", "diff",
                                              "noise", "tol", "verdict"))
    failed = []
    for k in FIGURES + ("latency_mean_ns",):
        vals = [f[k] for f, _, _, _, _ in ours]
        mean = statistics.mean(vals)
        noise = statistics.stdev(vals) * (1 + 1 / runs) ** 0.5 / mean
        tol = TOL if k == "latency_mean_ns" or mean >= RARE else TOL_RARE
        diff = (theirs[k] - mean) / mean
        if noise > NOISE_SHARE * tol:
            verdict = "run too short (noise > %g of tol)" % NOISE_SHARE
            failed.append(k)
        elif abs(diff) > tol:
            verdict = "DISAGREE"
            failed.append(k)
        else:
            verdict = "ok"
        name = "latency mean (ns)" if k == "latency_mean_ns" else k
        fmt = "%-20s %12.1f %12.1f" if k == "latency_mean_ns" else "%-20s %12.5f %12.5f"
        print(fmt % (name, mean, theirs[k]) + " %+7.2f%% %7.2f%% %5.0f%%  %s"
              % (100 * diff, 100 * noise, 100 * tol, verdict))

    walls = sorted(r[2] for r in ours)
    cpus = sorted(r[4] for r in ours)
    wall_ours, cpu_ours = statistics.median(walls), statistics.median(cpus)
    n_ours = statistics.mean(r[1] for r in ours)
    ev_ours = statistics.mean(r[3] for r in ours)
    print()
    print("speed, %g s simulated (interrupts per second of the run; median of %d irqsim runs):"
          % (seconds, runs))
    print("  %-7s %10s %14s %10s %14s" % ("", "wall s", "interrupts/s", "CPU s", "interrupts/s"))
    print("  %-7s %10.3f %14.4g %10.3f %14.4g   (%.4g events/s of wall)"
          % ("irqsim", wall_ours, n_ours / wall_ours, cpu_ours, n_ours / cpu_ours,
             ev_ours / wall_ours))
    print("  %-7s %10.3f %14.4g %10.3f %14.4g"
          % ("SimPy", wall_simpy, n_simpy / wall_simpy, cpu_simpy, n_simpy / cpu_simpy))
    print("  %-7s %10.0f %14s %10.0f %14s   (irqsim over SimPy; target >= 100)"
          % ("ratio", (n_ours / wall_ours) / (n_simpy / wall_simpy), "",
             (n_ours / cpu_ours) / (n_simpy / cpu_simpy), ""))
    print("  (wall: the run only, set-up excluded; CPU: irqsim's whole process, set-up and")
    print("   report included, SimPy's run only; CPU time is the less load-dependent of the two)")
    if failed:
        print("FAIL: irqsim and the SimPy model disagree (or the run was too short) on: %s"
              % ", ".join(failed))
        return 1
    print("agreement: every figure within its tolerance")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
