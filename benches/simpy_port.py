#!/usr/bin/env python3
"""A SimPy port of leadsim's funnel model, for a speed comparison with the Rust engine.

It reads the same scenario file (Python 3.11+ `tomllib`) and implements the same model
(docs/model.md sections 2 and 6) for a reduced feature set:

* population: one kind of lead (`population.constant`); the b2b-saas generator is not ported;
  deal values from `outcomes.deal_value` (lognormal by median and sigma);
* arrivals: Poisson per business day (or per day around the clock), uniform within the day,
  generated as a Poisson process with exponential gaps (the same law);
* one pool, FIFO, a weekday shift or always on duty, lognormal handling and talk times by mean
  and cv; attempts in progress at the end of a shift complete, off-shift reps take no work;
* cadence, contactability, reach per attempt, the speed-to-lead table (linear in log(1 + h)),
  qualification with skill, SQL-to-won with a lognormal sales cycle and the 365-day window,
  nurture with the cure-fraction Weibull decision law and the 12-month recovery window.

Not ported (the reduced scenario does not use them): patience, several pools and bands,
`score`/`lifo` queues, generator and table populations, presets, peak-queue and per-exit
metrics.

Randomness: one `random.Random` per replication, drawn in event order. Results therefore match
the Rust engine in distribution, not draw for draw; compare means, not digits.

Usage: python3 benches/simpy_port.py data/scenarios/bench_simpy.toml [--seed N]
Prints the leads simulated, the wall time, leads per second and a few metrics as JSON.
"""

import json
import math
import random
import sys
import time
import tomllib

import simpy

DAY_NAMES = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def parse_days(spec):
    works = [False] * 7
    for part in spec.split(","):
        part = part.strip().lower()
        if "-" in part:
            a, b = (DAY_NAMES.index(x.strip()) for x in part.split("-"))
            d = a
            while True:
                works[d] = True
                if d == b:
                    break
                d = (d + 1) % 7
        elif part:
            works[DAY_NAMES.index(part)] = True
    return works


class Shift:
    def __init__(self, hours):
        if hours == "always":
            self.always = True
            return
        self.always = False
        self.works = parse_days(hours.get("days", "mon-fri"))
        self.start = float(hours["start"])
        self.end = float(hours["end"])

    def on(self, t):
        if self.always:
            return True
        day = int(t // 24)
        h = t - 24 * day
        return self.works[day % 7] and self.start <= h < self.end

    def end_of_current(self, t):
        return math.inf if self.always else 24 * int(t // 24) + self.end

    def next_start_after(self, t):
        day = int(t // 24)
        while True:
            s = 24 * day + self.start
            if s > t and self.works[day % 7]:
                return s
            day += 1

    def working_hours(self, a, b):
        if self.always:
            return max(0.0, b - a)
        total = 0.0
        for day in range(int(a // 24), int(math.ceil(b / 24)) + 1):
            if self.works[day % 7]:
                s, e = max(a, 24 * day + self.start), min(b, 24 * day + self.end)
                total += max(0.0, e - s)
        return total


def lognormal_mean_cv(mean, cv):
    s2 = math.log(1 + cv * cv)
    return math.log(mean) - s2 / 2, math.sqrt(s2)


def sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x))


class Model:
    """One replication of one scenario."""

    def __init__(self, cfg, seed):
        self.rng = random.Random(seed)
        self.env = simpy.Environment()
        a = cfg["arrivals"]
        self.rate = float(a["rate_per_day"])
        self.days = int(a["arrival_days"])
        self.w0 = 24.0 * a.get("warmup_days", 0)
        self.w1 = 24.0 * self.days
        self.business = a.get("calendar", "business") == "business"
        (pname, pool), = cfg["pools"].items()
        self.pool_name = pname
        self.count = int(pool["count"])
        self.shift = Shift(pool.get("hours", {"days": "mon-fri", "start": 9, "end": 17}))
        h = pool.get("handle_minutes", {"mean": 8.0, "cv": 0.5})
        t = pool.get("talk_minutes", {"mean": 20.0, "cv": 0.5})
        self.handle = lognormal_mean_cv(h["mean"], h["cv"])
        self.talk = lognormal_mean_cv(t["mean"], t["cv"])
        self.skill = float(pool.get("skill", 1.0))
        self.cost_per_hour = float(pool.get("cost_per_hour", 36.0))
        pol = cfg.get("policy", {})
        self.theta = float(pol.get("threshold", 0.5))
        self.max_attempts = int(pol.get("max_attempts", 6))
        self.gaps = [float(g) for g in pol.get("gap_hours", [1, 24, 48, 96, 168])]
        self.contactable = float(pol.get("contactable", 0.6))
        self.reach = [float(r) for r in pol.get("reach", [0.39, 0.54, 0.39, 0.29, 0.25, 0.25])]
        pts = pol.get("speed_to_lead", {}).get("table", [[0, 1], [1, 0.75], [24, 0.45], [72, 0.35], [720, 0.25]])
        self.g_x = [math.log1p(p[0]) for p in pts]
        self.g_y = [float(p[1]) for p in pts]
        self.sla = float(pol.get("sla_hours", 1.0))
        n = pol.get("nurture", {})
        enabled = n.get("enabled", True)
        o = cfg.get("outcomes", {})
        self.win_rate = float(o.get("win_rate", 0.25))
        cyc = o.get("sales_cycle_days", {"median": 60.0, "sigma": 0.6})
        self.cycle = (math.log(cyc["median"]), cyc["sigma"])
        dv = o.get("deal_value", {"median": 25000.0, "sigma": 1.0})
        self.value = (math.log(dv["median"]), dv["sigma"])
        d = o.get("decision", {"pi": 0.62, "scale_months": 9.8, "shape": 1.26})
        self.pi, self.scale, self.shape = d["pi"], d["scale_months"], d["shape"]
        self.buy = min(1.0, o.get("share", 0.15) * (n.get("lift", 1.5) if enabled else 1.0))
        self.nurture_cpm = n.get("cost_per_lead_month", 2.0) if enabled else 0.0
        pop = cfg["population"]
        self.constant = pop.get("constant")
        if not self.constant:
            sys.exit("this port supports `population.constant` only; use data/scenarios/bench_simpy.toml")
        self.score_noise = float(pop.get("score_noise", 0.5))
        self.queue = simpy.Store(self.env)
        self.m = dict(mqls=0, handed_over=0, sqls=0, won=0, won_revenue_12m=0.0,
                      recovered_revenue_12m=0.0, nurture_cost=0.0, busy=0.0)
        self.responses = []
        self.sla_met = 0
        self.leads = 0

    # One kind of lead; the b2b-saas generator lives in Rust only (see the module docstring).
    def attributes(self):
        c = self.constant
        return c["score"], c.get("propensity", c["score"]), c.get("value")

    def g(self, d):
        u = math.log1p(max(d, 0.0))
        x, y = self.g_x, self.g_y
        if u <= x[0]:
            return y[0]
        if u >= x[-1]:
            return y[-1]
        i = 1
        while x[i] < u:
            i += 1
        w = (u - x[i - 1]) / (x[i] - x[i - 1])
        return y[i - 1] + w * (y[i] - y[i - 1])

    def arrivals(self):
        env, rng = self.env, self.rng
        for day in range(self.days):
            if self.business and day % 7 >= 5:
                continue
            # A Poisson process of rate/24 per hour over the day: Poisson(rate) arrivals,
            # uniform within the day.
            t = 24.0 * day
            while True:
                t += rng.expovariate(self.rate / 24.0)
                if t >= 24.0 * (day + 1):
                    break
                yield env.timeout(t - env.now)
                env.process(self.lead(env.now))

    def lead(self, a):
        rng = self.rng
        self.leads += 1
        counted = a >= self.w0
        score, p, value = self.attributes()
        if value is None:
            value = rng.lognormvariate(*self.value)
        if counted:
            self.m["mqls"] += 1
        if score < self.theta:
            self.nurture(counted, value)
            return
        if counted:
            self.m["handed_over"] += 1
        contactable = rng.random() < self.contactable
        for k in range(self.max_attempts):
            done = self.env.event()
            yield self.queue.put((k, contactable, done))
            start, reached = yield done
            if k == 0 and counted:
                self.responses.append(start - a)
                if start - a <= self.sla:
                    self.sla_met += 1
            if reached:
                q = min(1.0, p * self.skill * self.g(start - a))
                if rng.random() < q:
                    if counted:
                        self.sql(self.env.now - a, value)
                else:
                    self.nurture(counted, value)
                return
            if k + 1 < self.max_attempts:
                yield self.env.timeout(self.gaps[k])
        self.nurture(counted, value)

    def sql(self, age, value):
        rng = self.rng
        self.m["sqls"] += 1
        cycle_days = rng.lognormvariate(*self.cycle)
        if rng.random() < self.win_rate:
            self.m["won"] += 1
            if age + 24 * cycle_days <= 365 * 24:
                self.m["won_revenue_12m"] += value

    def nurture(self, counted, value):
        if not counted:
            return
        rng = self.rng
        u_decide, u_time, u_buy = rng.random(), rng.random(), rng.random()
        months = self.scale * (-math.log(1 - u_time)) ** (1 / self.shape) if u_decide < self.pi else math.inf
        if months <= 12 and u_buy < self.buy:
            self.m["recovered_revenue_12m"] += value
        self.m["nurture_cost"] += self.nurture_cpm * min(months, 12)

    def rep(self):
        env, rng = self.env, self.rng
        while True:
            if not self.shift.on(env.now):
                yield env.timeout(self.shift.next_start_after(env.now) - env.now)
                continue
            get = self.queue.get()
            off = env.timeout(self.shift.end_of_current(env.now) - env.now)
            got = yield get | off
            if get not in got:
                get.cancel()
                continue
            k, contactable, done = got[get]
            start = env.now
            handle = rng.lognormvariate(*self.handle) / 60
            reached = contactable and rng.random() < self.reach[k]
            talk = rng.lognormvariate(*self.talk) / 60 if reached else 0.0
            end = start + handle + talk
            self.m["busy"] += max(0.0, min(end, self.w1) - max(start, self.w0))
            yield env.timeout(handle + talk)
            done.succeed((start, reached))

    def run(self):
        for _ in range(self.count):
            self.env.process(self.rep())
        self.env.process(self.arrivals())
        # Run until every lead has left: arrivals stop at w1, the longest cadence is finite.
        horizon = self.w1 + 24 * (sum(self.gaps) + 60)
        self.env.run(until=horizon)
        r = sorted(self.responses)
        hours = self.count * self.shift.working_hours(self.w0, self.w1)
        out = dict(self.m)
        out["leads"] = self.leads
        out["mql_to_sql"] = out["sqls"] / out["mqls"] if out["mqls"] else math.nan
        out["response_mean_h"] = sum(r) / len(r) if r else math.nan
        out["sla_met"] = self.sla_met / out["handed_over"] if out["handed_over"] else math.nan
        out["utilisation"] = out.pop("busy") / hours if hours else math.nan
        return out


def main():
    args = sys.argv[1:]
    path = next((a for a in args if a.endswith(".toml")), "data/scenarios/bench_simpy.toml")
    with open(path, "rb") as f:
        cfg = tomllib.load(f)
    seed = int(args[args.index("--seed") + 1]) if "--seed" in args else int(cfg.get("seed", 1))
    t0 = time.perf_counter()
    out = Model(cfg, seed).run()
    secs = time.perf_counter() - t0
    out["seconds"] = secs
    out["leads_per_second"] = out["leads"] / secs
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
