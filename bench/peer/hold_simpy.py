#!/usr/bin/python3
"""The hold model of bench/bench_hold.c in SimPy: N processes, each holding
for an exponential time (mean 1000 time units) again and again. Prints, per
N, one JSON object: events (holds completed), wall seconds of the run (not of
creating the processes), events per second.

Written for Debian's python3-simpy (SimPy 2.3, `yield hold, self, t`); uses
SimPy 3/4 (`env.timeout`) instead when that is what is installed.

usage: hold_simpy.py N [N...] [--events E]   (E: about how many events per N)
"""
import json
import random
import sys
import time

MEAN = 1000.0


def run_simpy2(n, until, seed):
    from SimPy.Simulation import Process, activate, hold, initialize, simulate

    count = [0]
    rng = random.Random(seed)

    class Holder(Process):
        def run(self):
            while True:
                yield hold, self, rng.expovariate(1.0 / MEAN)
                count[0] += 1

    initialize()
    for _ in range(n):
        p = Holder()
        activate(p, p.run())
    t0 = time.perf_counter()
    simulate(until=until)
    return count[0], time.perf_counter() - t0


def run_simpy3(n, until, seed):
    import simpy

    count = [0]
    rng = random.Random(seed)
    env = simpy.Environment()

    def holder():
        while True:
            yield env.timeout(rng.expovariate(1.0 / MEAN))
            count[0] += 1

    for _ in range(n):
        env.process(holder())
    t0 = time.perf_counter()
    env.run(until=until)
    return count[0], time.perf_counter() - t0


def main(argv):
    events = 300000
    ns = []
    args = iter(argv[1:])
    for a in args:
        if a == "--events":
            events = int(next(args))
        else:
            ns.append(int(a))
    if not ns:
        ns = [100, 1000, 10000]
    try:
        import simpy  # noqa: F401

        run, api = run_simpy3, "simpy3"
    except ImportError:
        run, api = run_simpy2, "SimPy2"
    for n in ns:
        # n pending holds of mean MEAN: the clock moves MEAN / n per event.
        until = events * MEAN / n
        done, wall = run(n, until, 1)  # wall: the run only, not creating the processes
        print(json.dumps({"n": n, "api": api, "events": done, "wall_seconds": round(wall, 4),
                          "events_per_s": round(done / wall)}))
        sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv)
