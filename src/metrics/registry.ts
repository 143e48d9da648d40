// The process's metrics: services register counters, gauges and histograms
// by name, and /metrics renders them all in the Prometheus text format.
import { Counter } from './counter.ts';
import { escapeHelp, CONTENT_TYPE } from './exposition.ts';
import type { Family, MetricType } from './family.ts';
import { Gauge } from './gauge.ts';
import { Histogram } from './histogram.ts';

export { Counter, CounterChild } from './counter.ts';
export { Gauge, GaugeChild } from './gauge.ts';
export { Histogram, HistogramChild, DEFAULT_BUCKETS } from './histogram.ts';
export type { LabelValues } from './family.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- families of any label set live in one map
type AnyFamily = Family<any, unknown>;

export class Registry {
  readonly contentType = CONTENT_TYPE;
  readonly #families = new Map<string, AnyFamily>();

  /**
   * Registering the same name again with the same type and labels returns the
   * existing family (a restarted service keeps its totals); anything else is a bug.
   */
  #register<F extends AnyFamily>(name: string, type: MetricType, labelNames: readonly string[], make: () => F): F {
    const existing = this.#families.get(name);
    if (existing) {
      if (!existing.sameShape(type, labelNames)) {
        throw new Error(`metrics: '${name}' is already registered as a ${existing.type} with labels [${existing.labelNames.join(', ')}]`);
      }
      return existing as F;
    }
    const f = make();
    this.#families.set(name, f);
    return f;
  }

  counter<L extends string = never>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    return this.#register(name, 'counter', labelNames, () => new Counter<L>(name, help, labelNames));
  }

  gauge<L extends string = never>(name: string, help: string, labelNames: readonly L[] = [], collect?: (g: Gauge<L>) => void): Gauge<L> {
    return this.#register(name, 'gauge', labelNames, () => new Gauge<L>(name, help, labelNames, collect));
  }

  histogram<L extends string = never>(name: string, help: string, labelNames: readonly L[] = [], buckets?: readonly number[]): Histogram<L> {
    return this.#register(name, 'histogram', labelNames, () => new Histogram<L>(name, help, labelNames, buckets));
  }

  get(name: string): AnyFamily | undefined {
    return this.#families.get(name);
  }

  /** The whole exposition, families in registration order. */
  metrics(): string {
    const out: string[] = [];
    for (const f of this.#families.values()) {
      out.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`, ...f.samples());
    }
    return out.length === 0 ? '' : out.join('\n') + '\n';
  }
}
