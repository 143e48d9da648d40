// Gauges: values that go up and down (open streams, active transfers), set
// by the code that owns them or computed by a collect callback at scrape time.
import { formatValue } from './exposition.ts';
import { Family, type LabelValues } from './family.ts';

export class GaugeChild {
  value = 0;
  set(v: number): void {
    this.value = v;
  }
  inc(n = 1): void {
    this.value += n;
  }
  dec(n = 1): void {
    this.value -= n;
  }
}

export class Gauge<L extends string = never> extends Family<L, GaugeChild> {
  readonly type = 'gauge';

  constructor(
    name: string,
    help: string,
    labelNames: readonly L[],
    /** Called before each exposition, to set values kept elsewhere. */
    private readonly collect?: (g: Gauge<L>) => void,
  ) {
    super(name, help, labelNames);
    if (labelNames.length === 0) this.labels();
  }

  protected newChild(): GaugeChild {
    return new GaugeChild();
  }

  set(labels: LabelValues<L> | undefined, v: number): void {
    this.labels(labels).set(v);
  }
  inc(labels?: LabelValues<L>, n = 1): void {
    this.labels(labels).inc(n);
  }
  dec(labels?: LabelValues<L>, n = 1): void {
    this.labels(labels).dec(n);
  }
  get(labels?: LabelValues<L>): number {
    return this.labels(labels).value;
  }

  samples(): string[] {
    this.collect?.(this);
    const out: string[] = [];
    for (const { values, child } of this.entries()) out.push(`${this.name}${this.sampleLabels(values)} ${formatValue(child.value)}`);
    return out;
  }
}
