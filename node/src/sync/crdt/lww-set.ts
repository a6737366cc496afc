/**
 * Last-writer-wins element set with expiry, used for blocklists. Each element carries one tag
 * (timestamp, writer, op, expiry); join keeps the greater tag under a total order, so merge is
 * commutative, associative and idempotent. An element is present while its winning tag is an
 * `add` whose expiry lies in the future: blocks end on their own without any message.
 */

export type LwwOp = "add" | "remove";

export interface LwwTag {
  /** Writer's wall-clock time of the operation (ms). */
  readonly ts: number;
  /** Writer id; breaks timestamp ties. */
  readonly writer: string;
  readonly op: LwwOp;
  /** For `add`: when the element stops being present (ms since epoch). 0 for `remove`. */
  readonly expiresAt: number;
  /** Free-form reason kept for logs; not part of the order. */
  readonly reason?: string;
}

export type LwwSetState = Readonly<Record<string, LwwTag>>;

/** Total order on tags: ts, then writer, then op (remove wins a tie), then expiry. */
export function compareTags(a: LwwTag, b: LwwTag): number {
  if (a.ts !== b.ts) return a.ts < b.ts ? -1 : 1;
  if (a.writer !== b.writer) return a.writer < b.writer ? -1 : 1;
  if (a.op !== b.op) return a.op === "add" ? -1 : 1;
  if (a.expiresAt !== b.expiresAt) return a.expiresAt < b.expiresAt ? -1 : 1;
  const ra = a.reason ?? "";
  const rb = b.reason ?? "";
  return ra === rb ? 0 : ra < rb ? -1 : 1;
}

export class LwwElementSet {
  private readonly tags = new Map<string, LwwTag>();

  static from(state: LwwSetState): LwwElementSet {
    return new LwwElementSet().merge(state);
  }

  add(element: string, ts: number, writer: string, expiresAt: number, reason?: string): LwwSetState {
    return this.apply(element, { ts, writer, op: "add", expiresAt, ...(reason ? { reason } : {}) });
  }

  remove(element: string, ts: number, writer: string): LwwSetState {
    return this.apply(element, { ts, writer, op: "remove", expiresAt: 0 });
  }

  private apply(element: string, tag: LwwTag): LwwSetState {
    this.mergeOne(element, tag);
    return { [element]: tag };
  }

  /** Joins one element's tag. Returns true when the winning tag changed. */
  mergeOne(element: string, tag: LwwTag): boolean {
    const cur = this.tags.get(element);
    if (cur && compareTags(cur, tag) >= 0) return false;
    this.tags.set(element, tag);
    return true;
  }

  merge(other: LwwSetState | LwwElementSet): this {
    const src = other instanceof LwwElementSet ? other.tags : Object.entries(other);
    for (const [el, tag] of src) this.mergeOne(el, tag);
    return this;
  }

  has(element: string, now: number): boolean {
    const tag = this.tags.get(element);
    return tag !== undefined && tag.op === "add" && tag.expiresAt > now;
  }

  tag(element: string): LwwTag | undefined {
    return this.tags.get(element);
  }

  /** Elements present at `now`. */
  present(now: number): string[] {
    const out: string[] = [];
    for (const [el, tag] of this.tags) if (tag.op === "add" && tag.expiresAt > now) out.push(el);
    return out.sort();
  }

  /**
   * Forgets tags that can no longer matter: adds expired and removes older than `horizon` ms.
   * A late copy of a forgotten add is already expired, so it cannot resurrect the element; a late
   * add older than a forgotten remove is expired too as long as `horizon` ≥ the longest TTL.
   */
  prune(now: number, horizon: number): string[] {
    const gone: string[] = [];
    for (const [el, tag] of this.tags) {
      if ((tag.op === "add" && tag.expiresAt <= now) || (tag.op === "remove" && tag.ts < now - horizon)) {
        this.tags.delete(el);
        gone.push(el);
      }
    }
    return gone;
  }

  get size(): number {
    return this.tags.size;
  }

  state(): LwwSetState {
    const out: Record<string, LwwTag> = {};
    for (const k of [...this.tags.keys()].sort()) out[k] = this.tags.get(k)!;
    return out;
  }
}
