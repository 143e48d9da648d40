// YAML reading as Vaquero's Go loader (yaml.v2) saw it: YAML 1.1 scalars
// (`yes`/`on` are booleans), merge keys, no timestamp type (yaml.v2 leaves
// timestamps as strings when decoding into interface{}), duplicate keys an
// error. Every document keeps its start line, and any node's line can be
// looked up by path for error messages.
import { LineCounter, parseAllDocuments, isNode, isMap, isSeq, type Document, type Node, type Tags } from 'yaml';
import type { Json } from './types.ts';

export interface YamlDoc {
  /** The document's value as plain data. */
  value: Json;
  /** 1-based line where the document's content starts. */
  line: number;
  /** Line of the node at `path` (keys and indexes), or the document line. */
  lineOf(path: readonly (string | number)[]): number;
}

export interface YamlError {
  line: number;
  message: string;
}

const DROPPED_TAGS = new Set(['timestamp', 'intTime', 'floatTime', 'tag:yaml.org,2002:timestamp']);

const options = {
  version: '1.1' as const,
  merge: true,
  uniqueKeys: true,
  // yaml.v2 has neither timestamps nor YAML 1.1's base-60 numbers: without
  // this a MAC such as 00:00:00:00:00:01 would load as the integer 1.
  customTags: (tags: Tags): Tags => tags.filter((t) => !DROPPED_TAGS.has(typeof t === 'string' ? t : ((t as { format?: string }).format === 'TIME' ? 'intTime' : t.tag))),
};

/** Parses every document of a file; documents with errors are left out and reported. */
export function parseYamlDocuments(text: string): { docs: YamlDoc[]; errors: YamlError[] } {
  const lc = new LineCounter();
  const parsed = parseAllDocuments(text, { ...options, lineCounter: lc });
  const all: Document[] = Array.isArray(parsed) ? parsed : [parsed as unknown as Document];
  const docs: YamlDoc[] = [];
  const errors: YamlError[] = [];
  for (const d of all) {
    if (d.errors.length > 0) {
      for (const e of d.errors) errors.push({ line: e.linePos?.[0].line ?? lc.linePos(d.range?.[0] ?? 0).line, message: firstLine(e.message) });
      continue;
    }
    const contents = d.contents;
    if (contents === null || contents === undefined) continue; // an empty document, e.g. a trailing `---`
    const line = lineOfNode(contents as Node, lc) ?? lc.linePos(d.range?.[0] ?? 0).line;
    let value: Json;
    try {
      value = d.toJS({ maxAliasCount: 1000 }) as Json;
    } catch (e) {
      errors.push({ line, message: e instanceof Error ? firstLine(e.message) : String(e) });
      continue;
    }
    docs.push({
      value,
      line,
      lineOf(path) {
        let node: unknown = contents;
        for (const key of path) {
          if (isMap(node)) {
            const pair = node.items.find((p) => (isNode(p.key) ? (p.key as { value?: unknown }).value : p.key) === key);
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
