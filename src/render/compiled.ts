// Compiled templates of a library, parsed once and rendered many times:
// each asset with its type's snippets (parsed first, in name order, under
// their file names, as Vaquero and gotemplate-oracle do), and each OS's
// kernel, initrd and cmdline strings.
import { TemplateSet } from '../gotemplate/index.ts';
import type { Asset, AssetType, CmdlineParam, Json, Library, OperatingSystem } from '../model/types.ts';
import type { TemplateInput } from './data.ts';

/** Functions every Vaquero template may call; their values are given per render. */
export const TEMPLATE_FUNCS = ['Checkpoint'] as const;

function newSet(): TemplateSet {
  return new TemplateSet({ funcs: Object.fromEntries(TEMPLATE_FUNCS.map((f) => [f, () => ''])), missingKey: 'default' });
}

export function execute(set: TemplateSet, name: string, input: TemplateInput, missingKey?: 'error'): string {
  const funcs = { Checkpoint: () => input.funcs.Checkpoint };
  return set.execute(name, input.dot, { funcs, ...(missingKey ? { missingKey } : {}) });
}

export interface CompiledAsset {
  asset: Asset;
  set: TemplateSet;
}

const assetCache = new WeakMap<Library, Map<string, CompiledAsset>>();

/** Throws the engine's parse error when the asset or a snippet does not parse. */
export function compileAsset(lib: Library, asset: Asset): CompiledAsset {
  let cache = assetCache.get(lib);
  if (!cache) assetCache.set(lib, (cache = new Map()));
  const key = asset.file;
  const hit = cache.get(key);
  if (hit) return hit;
  const set = newSet();
  for (const s of lib.assets.get(asset.type)?.snippets ?? []) set.parse(s.name, s.text);
  set.parse(asset.name, asset.text);
  const compiled = { asset, set };
  cache.set(key, compiled);
  return compiled;
}

export function findAsset(lib: Library, type: string, name: string): Asset | undefined {
  return lib.assets.get(type as AssetType)?.files.get(name);
}

export interface OsPart {
  /** `kernel`, `initrd[0]`, `cmdline <key>`, ... for messages. */
  label: string;
  name: string;
}

export interface CompiledOs {
  os: OperatingSystem;
  set: TemplateSet;
  kernel: OsPart;
  initrd: OsPart[];
  cmdline: { param: CmdlineParam; values: (OsPart | string)[] | null | OsPart | string }[];
}

const osCache = new WeakMap<OperatingSystem, CompiledOs>();

/**
 * cmdline values: '' or null give `key`; a scalar `key=value` (strings are
 * templates); a list repeats the key per scalar element and skips the rest.
 */
export function compileOs(os: OperatingSystem): CompiledOs {
  const hit = osCache.get(os);
  if (hit) return hit;
  const set = newSet();
  const part = (label: string, text: string): OsPart => {
    set.parse(label, text);
    return { label, name: label };
  };
  const scalar = (label: string, v: Json): OsPart | string | undefined => {
    if (typeof v === 'string') return part(label, v);
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    return undefined;
  };
  const compiled: CompiledOs = {
    os,
    set,
    kernel: part('kernel', os.kernel),
    initrd: os.initrd.map((t, i) => part(`initrd[${i}]`, t)),
    // Keys repeat (console twice is common), so names carry the entry's index.
    cmdline: os.cmdline.map((param, n) => {
      const v = param.value;
      if (v === null || v === '') return { param, values: null };
      if (Array.isArray(v)) return { param, values: v.flatMap((e, i) => scalar(`cmdline[${n}] ${param.key}[${i}]`, e) ?? []) };
      return { param, values: scalar(`cmdline[${n}] ${param.key}`, v) ?? null };
    }),
  };
  osCache.set(os, compiled);
  return compiled;
}
