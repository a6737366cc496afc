import { expect } from "chai";
import fc from "fast-check";
import { GCounter } from "../../node/src/sync/crdt/gcounter.js";
import { PNCounter } from "../../node/src/sync/crdt/pncounter.js";
import { LwwElementSet } from "../../node/src/sync/crdt/lww-set.js";
import { DistributedRateLimiter } from "../../node/src/sync/rate-limiter.js";
import type { CounterMessage } from "../../node/src/sync/counter-codec.js";

const replica = fc.constantFrom("n1", "n2", "n3", "n4");
const runs = { numRuns: 300 };

const gOps = fc.array(fc.record({ r: replica, by: fc.integer({ min: 0, max: 20 }) }), { maxLength: 12 });
const gCounter = gOps.map((ops) => {
  const c = new GCounter();
  for (const o of ops) c.increment(o.r, o.by);
  return c;
});

const pnCounter = fc
  .array(fc.record({ r: replica, by: fc.integer({ min: 0, max: 20 }), neg: fc.boolean() }), { maxLength: 12 })
  .map((ops) => {
    const c = new PNCounter();
    for (const o of ops) (o.neg ? c.decrement(o.r, o.by) : c.increment(o.r, o.by));
    return c;
  });

// small ranges so timestamp and writer ties are frequent
const lwwOp = fc.record({
  el: fc.constantFrom("10.0.0.1", "10.0.0.2", "10.0.0.3"),
  ts: fc.integer({ min: 0, max: 5 }),
  w: replica,
  add: fc.boolean(),
  exp: fc.integer({ min: 0, max: 10 }),
  reason: fc.constantFrom(undefined, "waf", "bot"),
});
const lwwSet = fc.array(lwwOp, { maxLength: 10 }).map((ops) => {
  const s = new LwwElementSet();
  for (const o of ops) (o.add ? s.add(o.el, o.ts, o.w, o.exp, o.reason) : s.remove(o.el, o.ts, o.w));
  return s;
});

interface Crdt<T> {
  merge(o: T): T;
  state(): unknown;
  clone?(): T;
}

function lawsFor<T extends Crdt<T>>(name: string, arb: fc.Arbitrary<T>, clone: (x: T) => T): void {
  describe(`${name} join laws`, () => {
    it("is commutative", () => {
      fc.assert(fc.property(arb, arb, (a, b) => {
        expect(clone(a).merge(b).state()).to.deep.equal(clone(b).merge(a).state());
      }), runs);
    });
    it("is associative", () => {
      fc.assert(
        fc.property(arb, arb, arb, (a, b, c) => {
          expect(clone(a).merge(clone(b).merge(c)).state()).to.deep.equal(clone(a).merge(b).merge(c).state());
        }),
        runs,
      );
    });
    it("is idempotent", () => {
      fc.assert(fc.property(arb, (a) => {
        expect(clone(a).merge(a).state()).to.deep.equal(a.state());
      }), runs);
    });
    it("only grows: a ≤ a ⊔ b (joining again changes nothing)", () => {
      fc.assert(
        fc.property(arb, arb, (a, b) => {
          const j = clone(a).merge(b);
          expect(clone(j).merge(a).state()).to.deep.equal(j.state());
          expect(clone(j).merge(b).state()).to.deep.equal(j.state());
        }),
        runs,
      );
    });
  });
}

lawsFor("G-Counter", gCounter, (x) => x.clone());
lawsFor("PN-Counter", pnCounter, (x) => x.clone());
lawsFor("LWW element set", lwwSet, (x) => LwwElementSet.from(x.state()));

/** A permutation of `items` with some duplicated, chosen by fast-check. */
function deliveryOrder<T>(items: T[]): fc.Arbitrary<T[]> {
  return fc
    .tuple(fc.array(fc.nat(), { minLength: items.length, maxLength: items.length }), fc.array(fc.nat({ max: Math.max(0, items.length - 1) }), { maxLength: 5 }))
    .map(([keys, dups]) => {
      const order = items.map((it, i) => ({ it, k: keys[i]! })).sort((a, b) => a.k - b.k).map((x) => x.it);
      for (const d of dups) if (items.length) order.splice(d % (order.length + 1), 0, items[d % items.length]!);
      return order;
    });
}

describe("no increment is lost under any interleaving", () => {
  it("G/PN-Counter deltas delivered in any order, duplicated, reach the exact total everywhere", () => {
    const scenario = fc.array(fc.record({ r: fc.integer({ min: 0, max: 2 }), by: fc.integer({ min: 1, max: 9 }), neg: fc.boolean() }), { minLength: 1, maxLength: 25 });
    fc.assert(
      fc.property(
        scenario.chain((ops) => fc.tuple(fc.constant(ops), deliveryOrder(ops.map((_, i) => i)), deliveryOrder(ops.map((_, i) => i)), deliveryOrder(ops.map((_, i) => i)))),
        ([ops, ...orders]) => {
          const replicas = [new PNCounter(), new PNCounter(), new PNCounter()];
          const deltas = ops.map((o) => (o.neg ? replicas[o.r]!.decrement(`n${o.r}`, o.by) : replicas[o.r]!.increment(`n${o.r}`, o.by)));
          const total = ops.reduce((s, o) => s + (o.neg ? -o.by : o.by), 0);
          replicas.forEach((rep, i) => orders[i]!.forEach((d) => rep.merge(deltas[d]!)));
          for (const rep of replicas) expect(rep.value()).to.equal(total);
        },
      ),
      runs,
    );
  });

  it("lost deltas are repaired by one full-state exchange in any order", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ r: fc.integer({ min: 0, max: 2 }), by: fc.integer({ min: 1, max: 9 }) }), { minLength: 1, maxLength: 25 }),
        fc.array(fc.boolean(), { minLength: 75, maxLength: 75 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })), { maxLength: 6 }),
        (ops, delivered, extraGossip) => {
          const replicas = [new GCounter(), new GCounter(), new GCounter()];
          const deltas = ops.map((o) => ({ from: o.r, d: replicas[o.r]!.increment(`n${o.r}`, o.by) }));
          deltas.forEach((d, i) => replicas.forEach((rep, j) => j !== d.from && delivered[(i * 3 + j) % 75] && rep.merge(d.d)));
          for (const [a, b] of extraGossip) replicas[b]!.merge(replicas[a]!.state());
          // anti-entropy: every replica sends its full state to every other
          const snapshots = replicas.map((r) => r.state());
          replicas.forEach((rep, j) => snapshots.forEach((s, i) => i !== j && rep.merge(s)));
          const total = ops.reduce((s, o) => s + o.by, 0);
          for (const rep of replicas) expect(rep.value()).to.equal(total);
        },
      ),
      runs,
    );
  });

  it("LWW set: replicas applying the same operations in any order converge", () => {
    fc.assert(
      fc.property(
        fc.array(lwwOp, { minLength: 1, maxLength: 15 }).chain((ops) => fc.tuple(fc.constant(ops), deliveryOrder(ops), deliveryOrder(ops))),
        ([ops, o1, o2]) => {
          const apply = (list: typeof ops): LwwElementSet => {
            const s = new LwwElementSet();
            for (const o of list) (o.add ? s.add(o.el, o.ts, o.w, o.exp, o.reason) : s.remove(o.el, o.ts, o.w));
            return s;
          };
          const a = apply(o1);
          const b = apply(o2);
          expect(a.state()).to.deep.equal(b.state());
          for (const t of [0, 3, 7, 11]) expect(a.present(t)).to.deep.equal(b.present(t));
        },
      ),
      runs,
    );
  });

  it("rate limiter: admissions on 3 nodes, messages shuffled/duplicated/dropped, then full state: every node counts them all", () => {
    const rule = { requests: 1_000_000, windowSecs: 3600, burst: 0 };
    const now = () => 1_700_000_000_000;
    fc.assert(
      fc.property(
        fc.array(fc.record({ node: fc.integer({ min: 0, max: 2 }), ip: fc.constantFrom("192.0.2.1", "192.0.2.2"), flush: fc.boolean() }), { minLength: 1, maxLength: 40 }),
        fc.array(fc.nat(), { maxLength: 60 }),
        fc.array(fc.boolean(), { maxLength: 60 }),
        (hits, shuffleKeys, drops) => {
          const nodes = [0, 1, 2].map((i) => new DistributedRateLimiter({ nodeId: `node${i}`, now }));
          nodes.forEach((n) => n.setIsolated(false));
          const wire: CounterMessage[] = [];
          for (const h of hits) {
            expect(nodes[h.node]!.check("z.example", h.ip, rule).allowed).to.equal(true);
            if (h.flush) wire.push(...nodes[h.node]!.takeDeltas(0));
          }
          for (const n of nodes) wire.push(...n.takeDeltas(0));
          const order = wire.map((m, i) => ({ m, k: shuffleKeys[i] ?? i })).sort((a, b) => a.k - b.k);
          order.forEach(({ m }, i) => {
            if (drops[i]) return; // lost on the wire
            for (const n of nodes) n.applyRemote(m);
            if (i % 3 === 0) for (const n of nodes) n.applyRemote(m); // duplicate
          });
          const full = nodes.flatMap((n) => n.fullState(0));
          for (const m of full) for (const n of nodes) n.applyRemote(m);
          for (const ip of ["192.0.2.1", "192.0.2.2"]) {
            const total = hits.filter((h) => h.ip === ip).length;
            for (const n of nodes) expect(n.view("z.example", ip, 3600).value).to.equal(total);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
