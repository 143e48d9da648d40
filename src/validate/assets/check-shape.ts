// Walks a parsed YAML/JSON node tree against a Shape and reports every
// mismatch, unknown key and missing required key with the line it is on.
import { isAlias, isMap, isPair, isScalar, isSeq } from 'yaml';
import type { Document, LineCounter, Node, Pair, Scalar, YAMLMap } from 'yaml';
import type { AssetProblem } from './problem.ts';
import type { MapShape, Shape } from './shape.ts';

/**
 * How scalars are matched to string/integer fields:
 * - 'yaml.v2': as Go's gopkg.in/yaml.v2 decoded into a struct (ct, fuze,
 *   coreos-cloudinit): a string field takes any scalar's text, so
 *   `proxy: on` or `permissions: 0644` are fine there.
 * - 'json': as Go's encoding/json (Ignition): a string must be quoted and an
 *   integer written without a fraction.
 */
export type ScalarRules = 'yaml.v2' | 'json';

export interface ShapeContext {
  doc: Document;
  lineCounter: LineCounter;
  rules: ScalarRules;
  problems: AssetProblem[];
}

/** Checks `node` (the value at `path`; '' for the document root) against `shape`. */
export function checkShape(node: Node, shape: Shape, path: string, ctx: ShapeContext): void {
  const target = resolveAlias(node, ctx);
  if (target === undefined) return;
  if (isNull(target)) return;
  checkValue(target, shape, path, ctx);
}

function checkValue(node: Node, shape: Shape, path: string, ctx: ShapeContext): void {
  switch (shape.kind) {
    case 'any':
      return;
    case 'map':
      if (!isMap(node)) return mismatch(node, shape, path, ctx);
      return checkMap(node, shape, path, ctx);
    case 'list':
      if (!isSeq(node)) return mismatch(node, shape, path, ctx);
      node.items.forEach((item, i) => checkItem(item, shape.item, `${path}[${i}]`, ctx));
      return;
    case 'oneOf':
      return checkOneOf(node, shape.options, shape, path, ctx);
    default:
      if (!isScalar(node) || !scalarFits(node, shape, ctx.rules)) mismatch(node, shape, path, ctx);
  }
}

// A list item that is empty (`- ` alone) still counts: Go decodes it as a
// zero value, so an item that must have keys is missing all of them.
function checkItem(item: unknown, shape: Shape, path: string, ctx: ShapeContext): void {
  if (!isNodeLike(item)) return;
  const target = resolveAlias(item, ctx);
  if (target === undefined) return;
  if (isNull(target)) {
    const m = mapOption(shape);
    if (m) reportMissing(target, m, new Set(), path, ctx);
    return;
  }
  checkValue(target, shape, path, ctx);
}

function checkMap(node: YAMLMap, shape: MapShape, path: string, ctx: ShapeContext): void {
  const present = new Set<string>();
  for (const { key, keyNode, value } of pairsOf(node, path, ctx)) {
    const fieldPath = path === '' ? key : `${path}.${key}`;
    const current = Object.hasOwn(shape.renamed, key) ? shape.renamed[key] : undefined;
    const field = fieldOf(shape, current ?? key);
    const fieldShape = field ?? (shape.extra === 'warn' ? undefined : shape.extra);
    if (current !== undefined) {
      const message = `"${key}"${path === '' ? '' : ` in ${path}`} is a deprecated spelling of "${current}"`;
      ctx.problems.push({ line: lineOf(keyNode, ctx), level: 'warning', message });
    } else if (fieldShape === undefined) {
      const message = path === '' ? `unknown top-level key "${clip(key)}"` : `unknown key "${clip(key)}" in ${path}`;
      ctx.problems.push({ line: lineOf(keyNode, ctx), level: 'warning', message });
    }
    if (value === undefined) continue;
    const target = resolveAlias(value, ctx);
    // A key with no value decodes to the zero value in Go: the same as absent.
    if (target === undefined || isNull(target)) continue;
    present.add(current ?? key);
    if (fieldShape !== undefined) checkValue(target, fieldShape, fieldPath, ctx);
  }
  reportMissing(node, shape, present, path, ctx);
}

function fieldOf(shape: MapShape, key: string): Shape | undefined {
  return Object.hasOwn(shape.fields, key) ? shape.fields[key] : undefined;
}

function reportMissing(node: Node, shape: MapShape, present: Set<string>, path: string, ctx: ShapeContext): void {
  for (const key of shape.required) {
    if (present.has(key)) continue;
    ctx.problems.push({ line: lineOf(node, ctx), level: 'error', message: `${where(path)} is missing required key "${key}"` });
  }
}

interface KeyedPair {
  key: string;
  keyNode: Node;
  value: Node | undefined;
}

// Explicit keys first, then keys brought in by YAML 1.1 merge keys (`<<`)
// that the mapping does not set itself; duplicates among explicit keys are
// warned about because yaml.v2 silently keeps the last one.
function pairsOf(node: YAMLMap, path: string, ctx: ShapeContext): KeyedPair[] {
  const explicit: KeyedPair[] = [];
  const merged: KeyedPair[] = [];
  const seen = new Set<string>();
  for (const pair of node.items) {
    if (!isNodeLike(pair.key)) continue;
    if (isMergeKey(pair)) {
      merged.push(...mergedPairs(pair, ctx));
      continue;
    }
    const key = keyText(pair.key);
    const value = isNodeLike(pair.value) ? pair.value : undefined;
    if (seen.has(key)) {
      const message = `duplicate key "${key}"${path === '' ? '' : ` in ${path}`}; the last one is used`;
      ctx.problems.push({ line: lineOf(pair.key, ctx), level: 'warning', message });
    }
    seen.add(key);
    explicit.push({ key, keyNode: pair.key, value });
  }
  return [...explicit, ...merged.filter((p) => !seen.has(p.key))];
}

function isMergeKey(pair: Pair): boolean {
  return isScalar(pair.key) && typeof pair.key.value === 'symbol';
}

function mergedPairs(pair: Pair, ctx: ShapeContext): KeyedPair[] {
  if (!isNodeLike(pair.value)) return [];
  const source = resolveAlias(pair.value, ctx);
  const sources = isSeq(source) ? source.items.filter(isNodeLike).map((n) => resolveAlias(n, ctx)) : [source];
  const out: KeyedPair[] = [];
  for (const s of sources) {
    if (!isMap(s)) continue;
    for (const p of s.items) {
      if (!isNodeLike(p.key) || isMergeKey(p)) continue;
      out.push({ key: keyText(p.key), keyNode: p.key, value: isNodeLike(p.value) ? p.value : undefined });
    }
  }
  return out;
}

function checkOneOf(node: Node, options: readonly Shape[], shape: Shape, path: string, ctx: ShapeContext): void {
  const fitting = options.filter((o) => kindFits(node, o));
  const [first] = fitting;
  if (first === undefined) return mismatch(node, shape, path, ctx);
  if (fitting.length === 1 || !isScalar(node)) return checkValue(node, first, path, ctx);
  // Several scalar options (e.g. a boolean or a keyword): any one that fits will do.
  if (!fitting.some((o) => scalarFits(node, o, ctx.rules))) mismatch(node, shape, path, ctx);
}

function kindFits(node: Node, shape: Shape): boolean {
  switch (shape.kind) {
    case 'any':
      return true;
    case 'map':
      return isMap(node);
    case 'list':
      return isSeq(node);
    case 'oneOf':
      return shape.options.some((o) => kindFits(node, o));
    default:
      return isScalar(node);
  }
}

function scalarFits(node: Scalar, shape: Shape, rules: ScalarRules): boolean {
  const v = node.value;
  switch (shape.kind) {
    case 'any':
    case 'scalar':
      return true;
    case 'string':
      return rules === 'yaml.v2' || typeof v === 'string';
    case 'boolean':
      // yaml.v2 also reads a plain y/Y/n/N as a boolean; the `yaml` package's 1.1 schema does not.
      return typeof v === 'boolean' || (rules === 'yaml.v2' && node.type === 'PLAIN' && /^[yYnN]$/.test(node.source ?? ''));
    case 'integer':
      if (typeof v !== 'number' || !Number.isInteger(v)) return false;
      // encoding/json refuses `1.0` for an int field; yaml.v2 does not.
      return rules === 'yaml.v2' || /^-?\d+$/.test(node.source ?? '');
    case 'enum': {
      // yaml.v2 hands a string field the scalar's own text: `reboot-strategy: off` is "off", not false.
      const text = rules === 'yaml.v2' && v !== null ? (node.source ?? String(v)) : v;
      return typeof text === 'string' && shape.values.includes(text);
    }
    case 'oneOf':
      return shape.options.some((o) => isScalarShape(o) && scalarFits(node, o, rules));
    default:
      return false;
  }
}

function isScalarShape(shape: Shape): boolean {
  return shape.kind !== 'map' && shape.kind !== 'list' && shape.kind !== 'oneOf';
}

function mapOption(shape: Shape): MapShape | undefined {
  if (shape.kind === 'map') return shape;
  if (shape.kind === 'oneOf') {
    // An item that may also be a scalar (e.g. cloud-init's `- default` user) is fine empty.
    if (shape.options.some(isScalarShape)) return undefined;
    for (const o of shape.options) if (o.kind === 'map') return o;
  }
  return undefined;
}

function mismatch(node: Node, shape: Shape, path: string, ctx: ShapeContext): void {
  ctx.problems.push({ line: lineOf(node, ctx), level: 'error', message: `${where(path)} must be ${expected(shape)}, found ${found(node)}` });
}

function expected(shape: Shape): string {
  switch (shape.kind) {
    case 'string':
      return 'a string';
    case 'boolean':
      return 'a boolean';
    case 'integer':
      return 'an integer';
    case 'scalar':
      return 'a single value';
    case 'any':
      return 'anything';
    case 'enum':
      return `one of ${shape.values.join(', ')}`;
    case 'list':
      return 'a list';
    case 'map':
      return 'a mapping';
    case 'oneOf':
      return shape.options.map(expected).join(' or ');
  }
}

function found(node: Node): string {
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (!isScalar(node)) return 'something else';
  const v = node.value;
  if (typeof v === 'string') return `the string ${JSON.stringify(clip(v))}`;
  if (typeof v === 'boolean') return `the boolean ${v}`;
  if (typeof v === 'number') return `the number ${clip(node.source ?? String(v))}`;
  return `${JSON.stringify(clip(node.source ?? String(v)))}`;
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

function where(path: string): string {
  return path === '' ? 'the document' : path;
}

function keyText(key: Node): string {
  if (isScalar(key)) return String(key.value);
  return String(key);
}

function isNull(node: Node): boolean {
  return isScalar(node) && node.value === null;
}

function isNodeLike(x: unknown): x is Node {
  return x !== null && typeof x === 'object' && !isPair(x) && (isScalar(x) || isMap(x) || isSeq(x) || isAlias(x));
}

// yaml.v2 refuses a document that uses an undefined anchor; the `yaml`
// package leaves it unresolved without an error, so it is reported here.
function resolveAlias(node: Node, ctx: ShapeContext): Node | undefined {
  if (!isAlias(node)) return node;
  const target = node.resolve(ctx.doc);
  if (target === undefined) {
    ctx.problems.push({ line: lineOf(node, ctx), level: 'error', message: `unknown anchor "${node.source}" referenced by an alias` });
    return undefined;
  }
  return target;
}

export function lineOf(node: Node, ctx: Pick<ShapeContext, 'lineCounter'>): number {
  return ctx.lineCounter.linePos(node.range?.[0] ?? 0).line;
}
