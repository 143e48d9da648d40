// A small vocabulary for describing the expected shape of a YAML/JSON
// document, written as data so each schema reads like the consumer's spec.

export type Shape =
  | { kind: 'string' }
  | { kind: 'boolean' }
  | { kind: 'integer' }
  /** Any scalar (string, number, boolean). */
  | { kind: 'scalar' }
  /** Anything at all, not looked into. */
  | { kind: 'any' }
  /** A string from a fixed set. */
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'list'; item: Shape }
  | MapShape
  /** The first option whose node kind (scalar, list, mapping) fits is used; scalars try each. */
  | { kind: 'oneOf'; options: readonly Shape[] };

export interface MapShape {
  kind: 'map';
  fields: Readonly<Record<string, Shape>>;
  required: readonly string[];
  /** Keys not in `fields`: 'warn' reports them as unknown; a Shape accepts any key with that value shape. */
  extra: 'warn' | Shape;
  /** Old spellings still accepted by the consumer, with a warning: old key -> current key in `fields`. */
  renamed: Readonly<Record<string, string>>;
}

export const str: Shape = { kind: 'string' };
export const bool: Shape = { kind: 'boolean' };
export const int: Shape = { kind: 'integer' };
export const scalar: Shape = { kind: 'scalar' };
export const any: Shape = { kind: 'any' };

export function list(item: Shape): Shape {
  return { kind: 'list', item };
}

export function oneOf(...options: Shape[]): Shape {
  return { kind: 'oneOf', options };
}

export function enumOf(...values: string[]): Shape {
  return { kind: 'enum', values };
}

/** A mapping whose known keys are checked and whose unknown keys are warned about. */
export function map(fields: Record<string, Shape>, required: string[] = []): MapShape {
  return { kind: 'map', fields, required, extra: 'warn', renamed: {} };
}

/** A mapping that takes any key; known keys still get their shape checked. */
export function openMap(extra: Shape, fields: Record<string, Shape> = {}, required: string[] = []): MapShape {
  return { kind: 'map', fields, required, extra, renamed: {} };
}

/** The same mapping, also accepting deprecated spellings of some keys (with a warning). */
export function withRenamed(shape: MapShape, renamed: Record<string, string>): MapShape {
  return { ...shape, renamed: { ...shape.renamed, ...renamed } };
}
