// Typed reads of one YAML object with problems for wrong types and unknown
// keys. A wrong type is an error (the model would not load in Vaquero); an
// unknown key is a warning (Vaquero's loader ignored it).
import type { Json, JsonMap } from './types.ts';
import type { Problems } from './problems.ts';

export function isMap(v: Json | undefined): v is JsonMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export class Fields {
  constructor(
    readonly map: JsonMap,
    readonly what: string,
    readonly file: string,
    readonly line: number,
    readonly problems: Problems,
    readonly lineOf: (key: string) => number = () => line,
  ) {}

  known(keys: readonly string[]): void {
    for (const k of Object.keys(this.map)) {
      if (!keys.includes(k)) this.problems.warning(this.file, this.lineOf(k), `${this.what}: unknown key '${k}'`);
    }
  }

  str(key: string, required: boolean): string | undefined {
    const v = this.map[key];
    if (v === undefined || v === null) {
      if (required) this.problems.error(this.file, this.line, `${this.what}: missing required '${key}'`);
      return undefined;
    }
    // yaml.v2 decodes a scalar into a Go string field whatever its YAML type.
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    if (typeof v !== 'string') {
      this.problems.error(this.file, this.lineOf(key), `${this.what}: '${key}' must be a string`);
      return undefined;
    }
    if (required && v === '') this.problems.error(this.file, this.lineOf(key), `${this.what}: '${key}' must not be empty`);
    return v;
  }

  strList(key: string): string[] {
    const v = this.map[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v) || v.some((e) => typeof e === 'object' && e !== null)) {
      this.problems.error(this.file, this.lineOf(key), `${this.what}: '${key}' must be a list of strings`);
      return [];
    }
    return v.map((e) => String(e));
  }

  int(key: string, dflt: number): number {
    const v = this.map[key];
    if (v === undefined || v === null) return dflt;
    const n = typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isInteger(n)) {
      this.problems.error(this.file, this.lineOf(key), `${this.what}: '${key}' must be an integer`);
      return dflt;
    }
    return n;
  }

  bool(key: string, dflt: boolean): boolean {
    const v = this.map[key];
    if (v === undefined || v === null) return dflt;
    if (typeof v === 'boolean') return v;
    if (typeof v === 'string' && /^(true|false)$/i.test(v)) return v.toLowerCase() === 'true';
    this.problems.error(this.file, this.lineOf(key), `${this.what}: '${key}' must be a boolean`);
    return dflt;
  }

  obj(key: string): JsonMap | undefined {
    const v = this.map[key];
    if (v === undefined || v === null) return undefined;
    if (!isMap(v)) {
      this.problems.error(this.file, this.lineOf(key), `${this.what}: '${key}' must be a mapping`);
      return undefined;
    }
    return v;
  }

  list(key: string): Json[] {
    const v = this.map[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) {
      this.problems.error(this.file, this.lineOf(key), `${this.what}: '${key}' must be a list`);
      return [];
    }
    return v;
  }
}
