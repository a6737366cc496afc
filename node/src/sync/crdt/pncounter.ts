/**
 * Positive-negative counter: two G-Counters, value = P − N. Used for rate-limit windows so an
 * admitted request can be refunded (for example when the origin was never contacted).
 */
import { GCounter, type GCounterState } from "./gcounter.js";

export interface PNCounterState {
  readonly p: GCounterState;
  readonly n: GCounterState;
}

export class PNCounter {
  private readonly p = new GCounter();
  private readonly n = new GCounter();

  static from(state: PNCounterState): PNCounter {
    return new PNCounter().merge(state);
  }

  increment(replica: string, by = 1): PNCounterState {
    return { p: this.p.increment(replica, by), n: {} };
  }

  decrement(replica: string, by = 1): PNCounterState {
    return { p: {}, n: this.n.increment(replica, by) };
  }

  merge(other: PNCounterState | PNCounter): this {
    if (other instanceof PNCounter) {
      this.p.merge(other.p);
      this.n.merge(other.n);
    } else {
      this.p.merge(other.p ?? {});
      this.n.merge(other.n ?? {});
    }
    return this;
  }

  value(): number {
    return this.p.value() - this.n.value();
  }

  /** One replica's contribution (P and N entries). */
  entry(replica: string): { p: number; n: number } {
    return { p: this.p.get(replica), n: this.n.get(replica) };
  }

  replicas(): string[] {
    return [...new Set([...this.p.replicas(), ...this.n.replicas()])].sort();
  }

  state(): PNCounterState {
    return { p: this.p.state(), n: this.n.state() };
  }

  clone(): PNCounter {
    return PNCounter.from(this.state());
  }
}
