#!/usr/bin/python3
"""The GIB scenario of bench/peer/gib-peer.yaml, modelled in SimPy 2 (Debian's
python3-simpy, `yield hold, self, t`) independently of irqsim's C code, from
the project's descriptions of the mechanism (docs/gib.md, docs/host.md,
docs/scenario-format.md, docs/models.md, ../shared/DOMAIN.md section 1).

What it models, per guest: the GISA (IPM with the arrivals each bit holds,
IAM, alert_mask), its place on the GIB alert list, idle_mask, kicked_mask and
the 50 us kicker timer; per vCPU: the guest's busy/idle cycle, the
interrupt handler, the wait intercept (host.wait_exit), the halt and the
wake-up (host.wakeup), the pre-SIE delivery. The host: one CPU that takes
the GAL interruption and the kicker ticks (FIFO host work), the upstream
heuristic. Only what the scenario uses: one ISC, pass-through sources,
every vCPU enabled for every ISC, no halt polling, no overcommit (each vCPU
thread has its own host CPU, so the host scheduler never delays or switches
a thread: it is not modelled).

Prints one JSON object: the counters under irqsim's names, the mean latency
(arrival to the start of the guest's handler), and the wall and CPU seconds
of the run (sim.simulate only, not the set-up).

usage: gib_simpy.py SCENARIO.yaml [--duration SECONDS] [--seed N] [--set KEY=VALUE]...
"""
import json
import random
import re
import sys
import time

import yaml
from SimPy.Simulation import Process, Simulation, hold, passivate

NULL, NONE = "NULL", "NONE"  # alert_list_origin sentinels: empty and armed / suppressed


def isc_bit(n):
    return 0x80 >> n  # ISC 0 is the most significant bit (DOMAIN.md section 1)


# ---- the few value forms the scenario uses (docs/scenario-format.md) ------

UNITS_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


def duration_ns(text):
    m = re.fullmatch(r"\s*([0-9.eE+-]+)\s*(ns|us|ms|s)\s*", str(text))
    if not m:
        raise SystemExit("gib_simpy: unsupported duration %r" % text)
    return float(m.group(1)) * UNITS_NS[m.group(2)]


def dist(text):
    """exp(MEAN) or const(X) / X: a function drawing a time in ns."""
    m = re.fullmatch(r"\s*(exp|const)\((.*)\)\s*", str(text))
    kind, arg = (m.group(1), m.group(2)) if m else ("const", text)
    mean = duration_ns(arg)
    if kind == "exp":
        return lambda rng: rng.expovariate(1.0 / mean)
    return lambda rng: mean


def poisson_rate_per_ns(text):
    m = re.fullmatch(r"\s*poisson\(\s*([0-9.eE+-]+)\s*([kMG]?)\s*/\s*(s|ms|us|ns)\s*\)\s*", text)
    if not m:
        raise SystemExit("gib_simpy: unsupported arrivals %r" % text)
    mult = {"": 1.0, "k": 1e3, "M": 1e6, "G": 1e9}[m.group(2)]
    return float(m.group(1)) * mult / UNITS_NS[m.group(3)]


class Params:
    """What the model needs from the scenario; anything else it does not model
    is refused rather than ignored."""

    def __init__(self, path, sets=()):
        with open(path) as f:
            sc = yaml.safe_load(f)
        for path_value in sets:  # --set a.b=v, as irqsim's (mappings only)
            keys, value = path_value.split("=", 1)
            node = sc
            *parents, last = keys.split(".")
            for k in parents:
                node = node.setdefault(k, {})
            node[last] = yaml.safe_load(value)
        host, model = sc.get("host", {}), sc["model"]
        if model.get("name") != "gib" or model.get("heuristic", "upstream") != "upstream":
            raise SystemExit("gib_simpy: models the gib model's upstream heuristic only")
        if duration_ns(model.get("halt_poll", "50us")) != 0:
            raise SystemExit("gib_simpy: models no halt polling (halt_poll: 0ns)")
        if host.get("affinity") != "pinned":
            raise SystemExit("gib_simpy: needs host.affinity: pinned (no host scheduler modelled)")
        self.seed = int(sc.get("seed", 1))
        self.duration = duration_ns(sc["duration"])
        self.wakeup = duration_ns(host.get("wakeup", "5us"))
        self.wait_exit = duration_ns(host.get("wait_exit", "1us"))
        self.period = duration_ns(model.get("kicker_period", "50us"))
        self.gal_cost = duration_ns(model.get("gal_cost", "2us"))
        self.gisa_cost = duration_ns(model.get("gal_gisa_cost", "200ns"))
        self.kicker_cost = duration_ns(model.get("kicker_cost", "500ns"))
        (tmpl,) = sc["guests"]
        self.nguests = int(tmpl.get("count", 1))
        self.nvcpus = int(tmpl["vcpus"])
        if self.nguests * self.nvcpus >= int(host.get("cpus", 4)):
            raise SystemExit("gib_simpy: needs a host CPU per vCPU and one more for the GAL")
        if int(model.get("gal_cpu", -1)) != int(host["cpus"]) - 1:
            raise SystemExit("gib_simpy: needs gal_cpu on the CPU no vCPU runs on (the last)")
        if "vcpu" in tmpl or "vcpu_overrides" in tmpl or "model" in tmpl:
            raise SystemExit("gib_simpy: models default vCPUs (all ISCs, I/O on, no masking)")
        wl = tmpl.get("workload", {})
        if wl.get("start", "busy") != "busy" or wl.get("stopped", False):
            raise SystemExit("gib_simpy: models workload.start: busy")
        self.busy = dist(wl.get("busy", "exp(1ms)"))
        self.idle = dist(wl.get("idle", "exp(1ms)"))
        self.handler = dist(wl.get("handler", "const(1us)"))
        (src,) = sc["sources"]
        if src.get("injection", "passthrough") != "passthrough" or src["target"] != tmpl["name"]:
            raise SystemExit("gib_simpy: models one pass-through source on every guest")
        self.isc = int(src.get("class", 0))
        self.rate = poisson_rate_per_ns(src["arrivals"])


COUNTERS = ("injected", "delivered", "coalesced", "gal_interrupts", "alert_list_entries",
            "alerts_suppressed", "kicker_ticks", "timer_restarts", "iam_restores", "kicks",
            "wasted_kicks", "direct_deliveries", "deliver_io", "exit_wait_state", "halt_wakeup",
            "halt_sleep_again", "timer_wakeups")


class Guest:
    def __init__(self, gib, index):
        self.index = index
        self.alert_mask = isc_bit(gib.p.isc)  # the pass-through source registers its ISC
        self.iam = self.alert_mask
        self.ipm = 0
        self.held = {}  # ISC -> arrival times its IPM bit holds (coalesced ones too)
        self.on_list = False
        self.next = self  # next_alert: pointing to itself = not on the list
        self.tick_queued = False
        self.kicker_expiry = 0.0
        self.kicker = Kicker(gib, self)
        self.vcpus = []


class VCpu(Process):
    """One vCPU and its thread (on a host CPU of its own)."""

    def __init__(self, gib, guest, index):
        Process.__init__(self, name="vcpu", sim=gib.sim)
        self.gib, self.g, self.index = gib, guest, index
        self.cr6 = 0xFF  # every ISC enabled, PSW I/O on
        self.phase_busy = True  # workload.start: busy
        self.busy_left = gib.p.busy(gib.rng)
        self.in_guest = False  # between SIE entry and the next exit
        self.in_busy = False  # executing guest work: the machine may present to it
        self.handler = None  # a delivered interrupt's handler, to run next
        self.in_handler = False
        self.halted = False  # in WAIT: the thread sleeps (or is waking)
        self.waking = False
        self.idle = False  # its idle_mask bit
        self.kicked = False  # its kicked_mask bit
        self.kick_pending = False  # kicked since its last runnability check
        self.timer = IdleTimer(gib, self)

    def life(self):
        gib, g, p = self.gib, self.g, self.gib.p
        while True:
            if not self.in_guest:
                gib.sie_entry(self)
            if self.handler is not None:
                d, self.handler = self.handler, None
                self.in_handler = True
                yield hold, self, d
                self.in_handler = False
                gib.handler_ended(self)
                continue
            if self.phase_busy:
                self.in_busy = True
                yield hold, self, self.busy_left
                self.in_busy = False
                if self.interrupted():  # the machine presented an interrupt
                    self.busy_left = self.interruptLeft
                    self.interruptReset()
                    continue
                self.busy_left = 0.0
                self.phase_busy = False
                self.timer.arm(p.idle(gib.rng))  # the idle period runs in wall time
                continue
            # nothing to do: the guest executes an enabled wait, the host takes
            # the wait intercept
            self.in_guest = False
            yield hold, self, p.wait_exit
            if self.phase_busy:  # its timer ended the idle period meanwhile
                continue
            if not gib.wait_entry(self):
                continue  # something deliverable: back to SIE, which delivers it
            self.halted = True
            while True:  # kvm_vcpu_block: sleep until woken, then re-check
                yield passivate, self
                yield hold, self, p.wakeup
                self.waking = False
                if self.phase_busy or gib.runnable(self):
                    break
                gib.count["halt_sleep_again"] += 1
            self.halted = False
            self.idle = False


class IdleTimer(Process):
    """The guest's own timer: ends an idle period (a valid wake-up)."""

    def __init__(self, gib, vcpu):
        Process.__init__(self, name="idle", sim=gib.sim)
        self.gib, self.v = gib, vcpu

    def arm(self, delay):
        self.sim.reactivate(self, delay=delay)

    def life(self):
        gib, v = self.gib, self.v
        while True:
            yield passivate, self
            v.phase_busy = True
            v.busy_left = gib.p.busy(gib.rng)
            if v.halted:
                gib.count["timer_wakeups"] += 1
                gib.wake(v)


class Kicker(Process):
    """The per-GISA kicker hrtimer; its callback runs as host work."""

    def __init__(self, gib, guest):
        Process.__init__(self, name="kicker", sim=gib.sim)
        self.gib, self.g = gib, guest

    def arm(self, at):
        self.sim.reactivate(self, at=at)  # re-arming cancels the pending expiry

    def life(self):
        gib, g = self.gib, self.g
        while True:
            yield passivate, self
            if g.tick_queued:
                continue
            g.tick_queued = True
            g.kicker_expiry = self.sim.now()
            gib.host_work(gib.p.kicker_cost, gib.kicker_tick, g)


class HostCpu(Process):
    """The host CPU that takes GAL interruptions and kicker ticks: host work
    items run one after the other, in the order queued."""

    def __init__(self, gib):
        Process.__init__(self, name="gal-cpu", sim=gib.sim)
        self.queue = []
        self.head = 0

    def life(self):
        q = self.queue
        while True:
            while self.head < len(q):
                cost, fn, arg = q[self.head]
                self.head += 1
                yield hold, self, cost
                fn(arg)
            del q[:]
            self.head = 0
            yield passivate, self


class Source(Process):
    """Poisson arrivals of one pass-through device of one guest."""

    def __init__(self, gib, guest):
        Process.__init__(self, name="source", sim=gib.sim)
        self.gib, self.g = gib, guest

    def life(self):
        gib, g, rate = self.gib, self.g, self.gib.p.rate
        while True:
            yield hold, self, gib.rng.expovariate(rate)
            gib.arrival(self, g)


class Gib:
    def __init__(self, p, seed):
        self.p = p
        self.rng = random.Random(seed)
        self.sim = Simulation()
        self.count = dict.fromkeys(COUNTERS, 0)
        self.lat_sum = 0.0
        self.lat_n = 0
        self.origin = NULL
        self.gal_last = NULL  # what the GAL handler's previous pass ended on
        self.cpu = HostCpu(self)
        self.sim.activate(self.cpu, self.cpu.life())
        self.guests = [Guest(self, i) for i in range(p.nguests)]
        for g in self.guests:
            self.sim.activate(g.kicker, g.kicker.life())
            for j in range(p.nvcpus):
                v = VCpu(self, g, j)
                g.vcpus.append(v)
                self.sim.activate(v.timer, v.timer.life())
                self.sim.activate(v, v.life())
            s = Source(self, g)
            self.sim.activate(s, s.life())

    # ---- host work, latency ---------------------------------------------

    def host_work(self, cost, fn, arg=None):
        self.cpu.queue.append((cost, fn, arg))
        if self.cpu.passive():
            self.sim.reactivate(self.cpu)

    def record(self, arrival):
        self.lat_sum += self.sim.now() - arrival
        self.lat_n += 1

    # ---- the machine ----------------------------------------------------

    def arrival(self, source, g):
        """An adapter interrupt for ISC p.isc of guest g."""
        self.count["injected"] += 1
        bit = isc_bit(self.p.isc)
        now = self.sim.now()
        for v in g.vcpus:  # a vCPU in SIE running guest code takes it directly
            if v.in_busy and (v.cr6 & bit):
                self.count["direct_deliveries"] += 1
                self.count["delivered"] += 1
                self.record(now)
                v.in_busy = False
                v.handler = self.p.handler(self.rng)
                source.interrupt(v)
                return
        if g.ipm & bit:
            self.count["coalesced"] += 1
            g.held[self.p.isc].append(now)
        else:
            g.ipm |= bit
            g.held[self.p.isc] = [now]
        if (g.iam & bit) and not g.on_list:
            self.alert(g)

    def take(self, v, isc):
        """v takes IPM bit isc and every arrival it holds; its handler runs next."""
        g = v.g
        g.ipm &= ~isc_bit(isc)
        held = g.held.pop(isc)
        self.count["delivered"] += 1
        for t in held:
            self.record(t)
        v.handler = self.p.handler(self.rng)

    def deliverable(self, v):
        """The lowest pending ISC v can take (-1: none)."""
        bits = v.g.ipm & v.cr6
        for n in range(8):
            if bits & isc_bit(n):
                return n
        return -1

    def alert(self, g):
        """The machine links the GISA at the head of the alert list and clears
        the whole IAM; an empty armed list raises a GAL interruption."""
        g.iam = 0
        g.on_list = True
        g.next = self.origin
        was = self.origin
        self.origin = g
        if was is not NULL:
            self.count["alerts_suppressed"] += 1
            return
        self.count["gal_interrupts"] += 1
        self.host_work(self.p.gal_cost, self.gal_pass)

    # ---- the host: GAL handler, kicker ---------------------------------

    def gal_pass(self, _):
        """One pass of process_gib_alert_list: swap the origin with NONE (with
        NULL on the pass after one that found NONE), walk what was cut off,
        restarting each GISA's kicker at 0. Each pass after the first costs
        gal_gisa_cost per GISA the pass before walked."""
        final = self.gal_last is NONE
        cur = self.origin
        self.origin = NULL if final else NONE
        walked = 0
        while cur is not NULL and cur is not NONE:
            g = cur
            cur = g.next
            g.next = g
            g.on_list = False
            self.count["alert_list_entries"] += 1
            if not g.tick_queued:
                g.kicker.arm(self.sim.now())
            walked += 1
        if final:
            self.gal_last = NULL
            return
        self.gal_last = cur
        self.host_work(walked * self.p.gisa_cost, self.gal_pass)

    def restore_iam(self, g):
        if g.iam != g.alert_mask:
            g.iam = g.alert_mask
            self.count["iam_restores"] += 1

    def kicker_tick(self, g):
        """gisa_vcpu_kicker: alert ISCs pending: kick one vCPU and re-arm one
        period after the previous expiry (hrtimer_forward_now); else restore
        the IAM and stop."""
        g.tick_queued = False
        self.count["kicker_ticks"] += 1
        pending = g.ipm & g.alert_mask
        if not pending:
            self.restore_iam(g)
            return
        self.kick_single(g, pending)
        now, nxt = self.sim.now(), g.kicker_expiry + self.p.period
        while nxt <= now:
            nxt += self.p.period
        g.kicker.arm(nxt)
        self.count["timer_restarts"] += 1

    def kick_single(self, g, pending):
        """__airqs_kick_single_vcpu: the first vCPU in idle_mask (index order)
        whose CR6 overlaps the pending ISCs; none if its kicked_mask bit is set."""
        for v in g.vcpus:
            if not v.idle or not (v.cr6 & pending):
                continue
            if v.kicked:
                return
            v.kicked = True
            self.count["kicks"] += 1
            v.kick_pending = True
            self.wake(v)
            return

    def wake(self, v):
        """kvm_s390_vcpu_wakeup: wakes the thread if it sleeps."""
        if not v.halted or v.waking:
            return
        self.count["halt_wakeup"] += 1
        v.waking = True
        self.sim.reactivate(v)

    def kick_check(self, v, can_take):
        """A runnability check or SIE entry clears the kicked_mask bit; a kick
        after which the vCPU can take nothing was wasted."""
        v.kicked = False
        if v.kick_pending and not can_take:
            self.count["wasted_kicks"] += 1
        v.kick_pending = False

    # ---- the vCPU's host paths -----------------------------------------

    def sie_entry(self, v):
        """vcpu_pre_run: the idle bit is off, one pending I/O interrupt is
        delivered in software (lowest ISC first), the kicked bit cleared."""
        v.idle = False
        isc = self.deliverable(v) if not v.in_handler else -1
        if isc >= 0:
            self.count["deliver_io"] += 1
            self.take(v, isc)
        self.kick_check(v, isc >= 0)
        v.in_guest = True

    def handler_ended(self, v):
        """I/O enabled again in SIE: the machine presents the next pending ISC."""
        isc = self.deliverable(v)
        if isc >= 0:
            self.count["direct_deliveries"] += 1
            self.take(v, isc)

    def wait_entry(self, v):
        """kvm_s390_handle_wait: False when v must not wait (something it can
        take is pending). Else the IAM restore point: restored when no alert
        ISC is pending, whether or not the GISA is on the list."""
        self.count["exit_wait_state"] += 1
        if self.deliverable(v) >= 0:
            return False
        pending = v.g.ipm & v.g.alert_mask
        if not pending:
            self.restore_iam(v.g)
        elif pending & v.cr6:
            return False
        v.idle = True
        return True

    def runnable(self, v):
        """The woken thread's re-check (kvm_arch_vcpu_runnable)."""
        ok = self.deliverable(v) >= 0
        self.kick_check(v, ok)
        return ok


def main(argv):
    args = argv[1:]
    if not args:
        raise SystemExit(__doc__)
    duration, seed, sets = None, None, []
    i = 1
    while i < len(args):
        if args[i] == "--duration":
            duration = float(args[i + 1]) * 1e9
        elif args[i] == "--seed":
            seed = int(args[i + 1])
        elif args[i] == "--set":
            sets.append(args[i + 1])
        else:
            raise SystemExit("gib_simpy: unknown option %r" % args[i])
        i += 2
    p = Params(args[0], sets)
    p.duration = p.duration if duration is None else duration
    seed = p.seed if seed is None else seed
    gib = Gib(p, seed)
    t0, c0 = time.perf_counter(), time.process_time()
    gib.sim.simulate(until=p.duration)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    out = {"scenario": args[0], "seed": seed, "sim_seconds": p.duration / 1e9,
           "wall_seconds": round(wall, 4), "cpu_seconds": round(cpu, 4)}
    out.update(gib.count)
    out["pending"] = sum(len(h) for g in gib.guests for h in g.held.values())
    out["latency_mean_ns"] = gib.lat_sum / gib.lat_n if gib.lat_n else 0.0
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv)
