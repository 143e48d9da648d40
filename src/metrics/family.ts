// What every metric family shares: a name, help text, fixed label names and
// one child per distinct label-value tuple, resolved once and kept, so a hot
// path can hold a child and skip the lookup entirely.
import { formatLabels, isLabelName, isMetricName } from './exposition.ts';

export type LabelValues<L extends string> = { readonly [K in L]: string | number };

export type MetricType = 'counter' | 'gauge' | 'histogram';

export abstract class Family<L extends string, C> {
  abstract readonly type: MetricType;
  readonly #children = new Map<string, { values: string[]; child: C }>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly L[],
  ) {
    // Bad names are programmer errors: they would make the whole exposition unparsable.
    if (!isMetricName(name)) throw new Error(`metrics: '${name}' is not a valid metric name`);
    for (const l of labelNames) if (!isLabelName(l)) throw new Error(`metrics: ${name}: '${l}' is not a valid label name`);
    if (new Set(labelNames).size !== labelNames.length) throw new Error(`metrics: ${name}: duplicate label names`);
  }

  protected abstract newChild(): C;

  /** The child for these label values, created on first use; keep it on hot paths. */
  labels(labels?: LabelValues<L>): C {
    const names = this.labelNames;
    // One label (the common case) keys by its value alone; more join with NUL,
    // which label values built by this code never contain.
    let key = '';
    const values: string[] = new Array(names.length);
    for (let i = 0; i < names.length; i++) {
      const v = labels?.[names[i]!];
      if (v === undefined) throw new Error(`metrics: ${this.name}: missing label '${names[i]}'`);
      const s = typeof v === 'string' ? v : String(v);
      values[i] = s;
      key = i === 0 ? s : `${key}\u0000${s}`;
    }
    const hit = this.#children.get(key);
    if (hit) return hit.child;
    const child = this.newChild();
    this.#children.set(key, { values, child });
    return child;
  }

  /** Children in creation order with their label values. */
  protected entries(): Iterable<{ values: string[]; child: C }> {
    return this.#children.values();
  }

  protected sampleLabels(values: readonly string[], extra?: [string, string]): string {
    return formatLabels(this.labelNames, values, extra);
  }

  /** Sample lines (no HELP/TYPE). */
  abstract samples(): string[];

  /** Same kind of family with the same labels: registering it again returns the existing one. */
  sameShape(type: MetricType, labelNames: readonly string[]): boolean {
    return this.type === type && labelNames.length === this.labelNames.length && labelNames.every((l, i) => l === this.labelNames[i]);
  }
}
