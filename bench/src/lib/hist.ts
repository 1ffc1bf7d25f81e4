/**
 * A latency histogram with logarithmic buckets (1 % wide), cheap to record into, to send between
 * processes as JSON and to merge. Percentiles are accurate to about 1 %; min and max are exact.
 */
const R = Math.log(1.01);

export interface HistJSON {
  buckets: [number, number][];
  n: number;
  sum: number;
  min: number;
  max: number;
}

export interface Summary {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

export class Hist {
  private buckets = new Map<number, number>();
  n = 0;
  sum = 0;
  min = Infinity;
  max = 0;

  /** Records one value in milliseconds. */
  record(ms: number): void {
    const v = Number.isFinite(ms) && ms > 0 ? ms : 0;
    const us = Math.max(1, v * 1000);
    const b = Math.floor(Math.log(us) / R);
    this.buckets.set(b, (this.buckets.get(b) ?? 0) + 1);
    this.n++;
    this.sum += v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }

  merge(other: Hist | HistJSON): this {
    const o = other instanceof Hist ? other.toJSON() : other;
    for (const [b, c] of o.buckets) this.buckets.set(b, (this.buckets.get(b) ?? 0) + c);
    this.n += o.n;
    this.sum += o.sum;
    if (o.n > 0) {
      this.min = Math.min(this.min, o.min);
      this.max = Math.max(this.max, o.max);
    }
    return this;
  }

  /** The value at quantile q (0..1), in milliseconds. */
  quantile(q: number): number {
    if (this.n === 0) return NaN;
    const rank = Math.max(1, Math.ceil(q * this.n));
    let seen = 0;
    for (const b of [...this.buckets.keys()].sort((x, y) => x - y)) {
      seen += this.buckets.get(b)!;
      if (seen >= rank) {
        const mid = Math.exp((b + 0.5) * R) / 1000;
        return Math.min(this.max, Math.max(this.min, mid));
      }
    }
    return this.max;
  }

  summary(): Summary {
    return {
      n: this.n,
      p50: round(this.quantile(0.5)),
      p95: round(this.quantile(0.95)),
      p99: round(this.quantile(0.99)),
      max: round(this.n ? this.max : NaN),
      mean: round(this.n ? this.sum / this.n : NaN),
    };
  }

  toJSON(): HistJSON {
    return { buckets: [...this.buckets.entries()], n: this.n, sum: this.sum, min: this.n ? this.min : 0, max: this.max };
  }

  static from(json: HistJSON | undefined | null): Hist {
    const h = new Hist();
    if (json) h.merge(json);
    return h;
  }
}

export function round(v: number, digits = 2): number {
  if (!Number.isFinite(v)) return NaN;
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
