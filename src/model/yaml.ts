// YAML reading as Vaquero's Go loader (yaml.v2) saw it: YAML 1.1 booleans
// (`yes`, `on`, `y`), merge keys, integers with 0x/0o/0b/leading-0 octal and
// underscores, duplicate keys an error, and neither timestamps nor base-60
// numbers (without that a MAC such as 00:00:00:00:00:01 loads as 1).
//
// Parsed with js-yaml's event stream: values come from the events, and a
// node's line is found by walking them only when a message needs it. The
// `yaml` package took about 190 us per host document here, js-yaml about 18 us
// (bench/model.ts loads 100,000 of them), so `yaml` is kept only for files
// js-yaml refuses, where it reports every broken document and keeps the rest.
import {
  EVENT_ID,
  NOT_RESOLVED,
  Schema,
  boolYaml11Tag,
  constructFromEvents,
  defineScalarTag,
  getScalarValue,
  mapTag,
  mergeTag,
  nullYaml11Tag,
  parseEvents,
  seqTag,
  strTag,
  type Event,
} from 'js-yaml';
import { LineCounter, parseAllDocuments, isNode, isMap, isSeq, type Document, type Node, type Tags } from 'yaml';
import type { Json } from './types.ts';

export interface YamlDoc {
  /** The document's value as plain data. */
  value: Json;
  /** 1-based line where the document's content starts. */
  readonly line: number;
  /** Line of the node at `path` (keys and indexes), or the nearest ancestor's line. */
  lineOf(path: readonly (string | number)[]): number;
}

export interface YamlError {
  line: number;
  message: string;
}

const GO_INT = /^[-+]?(?:0[bB][01]+|0[oO][0-7]+|0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/;
const GO_FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
const GO_SPECIAL_FLOAT: Record<string, number> = { '.inf': Infinity, '+.inf': Infinity, '-.inf': -Infinity, '.nan': NaN };

function goInt(source: string): number | typeof NOT_RESOLVED {
  const s = source.replace(/_/g, '');
  if (!GO_INT.test(s)) return NOT_RESOLVED;
  const neg = s.startsWith('-');
  const body = s.replace(/^[-+]/, '');
  let n: number;
  if (/^0[bB]/.test(body)) n = parseInt(body.slice(2), 2);
  else if (/^0[oO]/.test(body)) n = parseInt(body.slice(2), 8);
  else if (/^0[xX]/.test(body)) n = parseInt(body.slice(2), 16);
  else if (body.length > 1 && body.startsWith('0')) n = parseInt(body, 8);
  else n = parseInt(body, 10);
  return neg ? -n : n;
}

/** yaml.v2's scalar resolution: int first (strconv.ParseInt base 0), then float. */
const goIntTag = defineScalarTag('tag:yaml.org,2002:int', {
  implicit: true,
  implicitFirstChars: [...'-+0123456789'],
  resolve: (source) => goInt(source),
  identify: (v: unknown) => typeof v === 'number' && Number.isInteger(v),
});

const goFloatTag = defineScalarTag('tag:yaml.org,2002:float', {
  implicit: true,
  implicitFirstChars: [...'-+.0123456789'],
  resolve: (source) => {
    const s = source.replace(/_/g, '');
    const special = GO_SPECIAL_FLOAT[s.toLowerCase()];
    if (special !== undefined && /^[-+]?\.(inf|Inf|INF|nan|NaN|NAN)$/.test(s)) return special;
    return GO_FLOAT.test(s) ? Number(s) : NOT_RESOLVED;
  },
  identify: (v: unknown) => typeof v === 'number',
});

export const GO_YAML_SCHEMA = new Schema([strTag, seqTag, mapTag, nullYaml11Tag, boolYaml11Tag, goIntTag, goFloatTag, mergeTag]);

/** Parses every document of a file; documents with errors are left out and reported. */
export function parseYamlDocuments(text: string): { docs: YamlDoc[]; errors: YamlError[] } {
  let events: Event[];
  let values: unknown[];
  try {
    events = parseEvents(text, { maxDepth: 100 });
    values = constructFromEvents(events, { source: text, schema: GO_YAML_SCHEMA });
  } catch {
    return parseWithYamlPackage(text);
  }
  const lines = new LineIndex(text);
  const docs: YamlDoc[] = [];
  // Each document is DOCUMENT, its root node, POP.
  let d = 0;
  for (let i = 0; i < events.length; i++) {
    if (events[i]!.type !== EVENT_ID.DOCUMENT) continue;
    const root = i + 1;
    const value = values[d++] as Json | undefined;
    i = skipNode(events, root);
    if (value === null || value === undefined) continue; // an empty document, e.g. a trailing `---`
    docs.push({
      value,
      get line() {
        return lines.of(startOf(events[root]!), 1);
      },
      lineOf: (path) => lines.of(startOf(events[findNode(events, text, root, path)]!), 1),
    });
  }
  return { docs, errors: [] };
}

function startOf(e: Event): number {
  switch (e.type) {
    case EVENT_ID.SCALAR:
      return e.valueStart >= 0 ? e.valueStart : e.anchorStart >= 0 ? e.anchorStart : e.tagStart;
    case EVENT_ID.MAPPING:
    case EVENT_ID.SEQUENCE:
      return e.start;
    case EVENT_ID.ALIAS:
      return e.anchorStart;
    default:
      return -1;
  }
}

/** Index of the event just past the node that starts at `i`. */
function skipNode(events: Event[], i: number): number {
  const t = events[i]?.type;
  if (t !== EVENT_ID.MAPPING && t !== EVENT_ID.SEQUENCE && t !== EVENT_ID.DOCUMENT) return i + 1;
  let depth = 0;
  for (let j = i; j < events.length; j++) {
    const tj = events[j]!.type;
    if (tj === EVENT_ID.MAPPING || tj === EVENT_ID.SEQUENCE || tj === EVENT_ID.DOCUMENT) depth++;
    else if (tj === EVENT_ID.POP && --depth === 0) return j + 1;
  }
  return events.length;
}

/** Event index of the node at `path` under the node at `i`, or of the deepest node found. */
function findNode(events: Event[], text: string, i: number, path: readonly (string | number)[]): number {
  let at = i;
  for (const key of path) {
    const node = events[at]!;
    let j = at + 1;
    let found = -1;
    if (node.type === EVENT_ID.MAPPING) {
      while (j < events.length && events[j]!.type !== EVENT_ID.POP) {
        const k = events[j]!;
        const valueAt = skipNode(events, j);
        if (k.type === EVENT_ID.SCALAR && getScalarValue(text, k) === String(key)) {
          found = valueAt < events.length && events[valueAt]!.type !== EVENT_ID.POP ? valueAt : j;
          // An empty value (`key:`) has no position of its own: use the key's.
          if (startOf(events[found]!) < 0) found = j;
          break;
        }
        j = skipNode(events, valueAt);
      }
    } else if (node.type === EVENT_ID.SEQUENCE && typeof key === 'number') {
      for (let n = 0; j < events.length && events[j]!.type !== EVENT_ID.POP; n++) {
        if (n === key) {
          found = j;
          break;
        }
        j = skipNode(events, j);
      }
    }
    if (found < 0) break;
    at = found;
  }
  return at;
}

/** Offsets to 1-based lines, built on first use. */
class LineIndex {
  private starts: number[] | undefined;
  constructor(private readonly text: string) {}
  of(offset: number, fallback: number): number {
    if (offset < 0) return fallback;
    if (!this.starts) {
      this.starts = [0];
      for (let i = this.text.indexOf('\n'); i >= 0; i = this.text.indexOf('\n', i + 1)) this.starts.push(i + 1);
    }
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }
}

// The slow path, for files js-yaml refuses: the `yaml` package reports each
// broken document with its line and still yields the good ones.
const DROPPED_TAGS = new Set(['timestamp', 'intTime', 'floatTime', 'tag:yaml.org,2002:timestamp']);
const yamlOptions = {
  version: '1.1' as const,
  merge: true,
  uniqueKeys: true,
  customTags: (tags: Tags): Tags => tags.filter((t) => !DROPPED_TAGS.has(typeof t === 'string' ? t : (t as { format?: string }).format === 'TIME' ? 'intTime' : t.tag)),
};

function parseWithYamlPackage(text: string): { docs: YamlDoc[]; errors: YamlError[] } {
  const lc = new LineCounter();
  const all: Document[] = parseAllDocuments(text, { ...yamlOptions, lineCounter: lc }) as unknown as Document[];
  const docs: YamlDoc[] = [];
  const errors: YamlError[] = [];
  for (const d of all) {
    if (d.errors.length > 0) {
      for (const e of d.errors) errors.push({ line: e.linePos?.[0].line ?? lc.linePos(d.range?.[0] ?? 0).line, message: firstLine(e.message) });
      continue;
    }
    const contents = d.contents;
    if (contents === null || contents === undefined) continue;
    const line = lineOfNode(contents as Node, lc) ?? lc.linePos(d.range?.[0] ?? 0).line;
    let value: Json;
    try {
      value = d.toJS({ maxAliasCount: 1000 }) as Json;
    } catch (e) {
      errors.push({ line, message: e instanceof Error ? firstLine(e.message) : String(e) });
      continue;
    }
    if (value === null) continue;
    docs.push({
      value,
      line,
      lineOf(path) {
        let node: unknown = contents;
        for (const key of path) {
          if (isMap(node)) {
            const pair = node.items.find((p) => String(isNode(p.key) ? (p.key as { value?: unknown }).value : p.key) === String(key));
            if (!pair) break;
            node = pair.value ?? pair.key;
          } else if (isSeq(node) && typeof key === 'number') {
            const item = node.items[key];
            if (item === undefined) break;
            node = item;
          } else break;
        }
        return (isNode(node) ? lineOfNode(node, lc) : undefined) ?? line;
      },
    });
  }
  return { docs, errors };
}

function lineOfNode(node: Node, lc: LineCounter): number | undefined {
  const r = node.range;
  return r ? lc.linePos(r[0]).line : undefined;
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.trim();
}
