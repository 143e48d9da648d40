// Counters: values that only go up (requests, packets, bytes).
import { formatValue } from './exposition.ts';
import { Family, type LabelValues } from './family.ts';

export class CounterChild {
  value = 0;
  inc(n = 1): void {
    // A negative step would make rate() lie; it is a caller's bug.
    if (!(n >= 0)) throw new Error(`metrics: counter increment must be >= 0, got ${n}`);
    this.value += n;
  }
}

export class Counter<L extends string = never> extends Family<L, CounterChild> {
  readonly type = 'counter';

  constructor(name: string, help: string, labelNames: readonly L[]) {
    super(name, help, labelNames);
    // A label-less counter is exported as 0 from the start, not only after its first increment.
    if (labelNames.length === 0) this.labels();
  }

  protected newChild(): CounterChild {
    return new CounterChild();
  }

  inc(labels?: LabelValues<L>, n = 1): void {
    this.labels(labels).inc(n);
  }

  get(labels?: LabelValues<L>): number {
    return this.labels(labels).value;
  }

  samples(): string[] {
    const out: string[] = [];
    for (const { values, child } of this.entries()) out.push(`${this.name}${this.sampleLabels(values)} ${formatValue(child.value)}`);
    return out;
  }
}
