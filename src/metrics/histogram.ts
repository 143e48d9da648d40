// Histograms: observations counted into cumulative buckets, plus their sum
// and count (request durations, transfer sizes).
import { formatValue } from './exposition.ts';
import { Family, type LabelValues } from './family.ts';

/** Seconds, from 5 ms to 10 s: an iPXE script takes milliseconds, a kernel over a slow link seconds. */
export const DEFAULT_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class HistogramChild {
  /** Per-bucket (non-cumulative) counts; the last slot is +Inf. */
  readonly counts: number[];
  sum = 0;
  count = 0;
  constructor(private readonly bounds: readonly number[]) {
    this.counts = new Array<number>(bounds.length + 1).fill(0);
  }
  observe(v: number): void {
    const b = this.bounds;
    let i = 0;
    // Linear scan: bucket lists are about ten long, shorter than a binary search's bookkeeping.
    while (i < b.length && v > b[i]!) i++;
    this.counts[i]!++;
    this.sum += v;
    this.count++;
  }
}

export class Histogram<L extends string = never> extends Family<L, HistogramChild> {
  readonly type = 'histogram';
  readonly buckets: readonly number[];

  constructor(name: string, help: string, labelNames: readonly L[], buckets: readonly number[] = DEFAULT_BUCKETS) {
    super(name, help, labelNames);
    if ((labelNames as readonly string[]).includes('le')) throw new Error(`metrics: ${name}: 'le' is reserved in histograms`);
    for (let i = 1; i < buckets.length; i++) if (!(buckets[i]! > buckets[i - 1]!)) throw new Error(`metrics: ${name}: buckets must increase`);
    this.buckets = buckets.filter((b) => b !== Infinity);
    if (labelNames.length === 0) this.labels();
  }

  protected newChild(): HistogramChild {
    return new HistogramChild(this.buckets);
  }

  observe(labels: LabelValues<L> | undefined, v: number): void {
    this.labels(labels).observe(v);
  }

  samples(): string[] {
    const out: string[] = [];
    for (const { values, child } of this.entries()) {
      let cumulative = 0;
      for (let i = 0; i <= this.buckets.length; i++) {
        cumulative += child.counts[i]!;
        const le = i < this.buckets.length ? formatValue(this.buckets[i]!) : '+Inf';
        out.push(`${this.name}_bucket${this.sampleLabels(values, ['le', le])} ${cumulative}`);
      }
      out.push(`${this.name}_sum${this.sampleLabels(values)} ${formatValue(child.sum)}`);
      out.push(`${this.name}_count${this.sampleLabels(values)} ${child.count}`);
    }
    return out;
  }
}
