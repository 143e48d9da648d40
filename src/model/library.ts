// Loads the shared part of a SoT: assets/<type>/ (with snippets/), os/,
// boot/ and workflows/. Used for the SoT root and for every advanced SoT a
// cluster's `config:` section points at.
import { join, relative } from 'node:path';
import { Fields, isMap } from './fields.ts';
import { isDir, isYamlName, listDirs, listFiles, readText } from './files.ts';
import { parseYamlDocuments, type YamlDoc } from './yaml.ts';
import type { Problems } from './problems.ts';
import { ASSET_TYPES, type Asset, type AssetType, type Boot, type CmdlineParam, type JsonMap, type Library, type OperatingSystem, type Workflow } from './types.ts';

const OS_KEYS = ['id', 'name', 'major_version', 'minor_version', 'versions', 'os_family', 'release_name', 'boot', 'cmdline'];
const BOOT_KEYS = ['id', 'name', 'operating_system', 'unattended', 'metadata', 'validate', 'before_shutdown'];
const WORKFLOW_KEYS = ['id', 'name', 'workflow', 'deps'];
const DEPS_KEYS = ['max_concurrent', 'min_standing', 'block_deps', 'validate_on', 'max_fail'];

export class Loader {
  constructor(
    /** The SoT root: file names in problems are relative to it. */
    readonly root: string,
    readonly problems: Problems,
  ) {}

  rel(path: string): string {
    return relative(this.root, path).split('\\').join('/') || '.';
  }

  /** Every YAML document of a file; parse errors become problems. */
  documents(path: string): YamlDoc[] {
    let text: string;
    try {
      text = readText(path);
    } catch (e) {
      this.problems.error(this.rel(path), 0, `cannot read: ${(e as Error).message}`);
      return [];
    }
    const { docs, errors } = parseYamlDocuments(text);
    for (const e of errors) this.problems.error(this.rel(path), e.line, `YAML: ${e.message}`);
    return docs;
  }

  /** Documents of a file that must be mappings (others are reported). */
  objects(path: string, what: string): { map: JsonMap; doc: YamlDoc }[] {
    const out: { map: JsonMap; doc: YamlDoc }[] = [];
    for (const doc of this.documents(path)) {
      if (isMap(doc.value)) out.push({ map: doc.value, doc });
      else this.problems.error(this.rel(path), doc.line, `${what}: document must be a mapping`);
    }
    return out;
  }

  library(dir: string): Library {
    const lib: Library = { dir, assets: new Map(), os: new Map(), boots: new Map(), workflows: new Map() };
    this.loadAssets(lib);
    for (const kind of ['os', 'boot', 'workflows'] as const) {
      const folder = join(dir, kind);
      if (!isDir(folder)) continue;
      for (const name of listFiles(folder)) {
        const path = join(folder, name);
        if (!isYamlName(name)) {
          this.problems.warning(this.rel(path), 0, `ignored: not a .yml or .yaml file`);
          continue;
        }
        for (const { map, doc } of this.objects(path, kind)) {
          if (kind === 'os') this.put(lib.os, this.os(map, doc, this.rel(path)), 'os');
          else if (kind === 'boot') this.put(lib.boots, this.boot(map, doc, this.rel(path)), 'boot');
          else this.put(lib.workflows, this.workflow(map, doc, this.rel(path)), 'workflow');
        }
      }
    }
    return lib;
  }

  private put<T extends { id: string; src: { file: string; line: number } }>(m: Map<string, T>, obj: T | undefined, what: string): void {
    if (!obj) return;
    const prev = m.get(obj.id);
    if (prev) {
      this.problems.error(obj.src.file, obj.src.line, `duplicate ${what} id '${obj.id}' (first defined at ${prev.src.file}:${prev.src.line})`);
      return;
    }
    m.set(obj.id, obj);
  }

  private loadAssets(lib: Library): void {
    const base = join(lib.dir, 'assets');
    if (!isDir(base)) return;
    for (const t of listDirs(base)) {
      if (!(ASSET_TYPES as readonly string[]).includes(t)) {
        this.problems.warning(this.rel(join(base, t)), 0, `unknown asset type '${t}' (known: ${ASSET_TYPES.join(', ')})`);
        continue;
      }
      const type = t as AssetType;
      const read = (folder: string): Asset[] =>
        listFiles(folder).flatMap((name) => {
          const path = join(folder, name);
          try {
            return [{ type, name, file: this.rel(path), text: readText(path) }];
          } catch (e) {
            this.problems.error(this.rel(path), 0, `cannot read: ${(e as Error).message}`);
            return [];
          }
        });
      const files = new Map(read(join(base, t)).map((a) => [a.name, a]));
      lib.assets.set(type, { files, snippets: read(join(base, t, 'snippets')) });
    }
  }

  private os(map: JsonMap, doc: YamlDoc, file: string): OperatingSystem | undefined {
    const f = new Fields(map, 'os', file, doc.line, this.problems, (k) => doc.lineOf([k]));
    f.known(OS_KEYS);
    const id = f.str('id', true);
    if (id === undefined) return undefined;
    if (map.name === undefined || map.name === null) map.name = id;
    const what = `os '${id}'`;
    const boot = f.obj('boot');
    let kernel = '';
    let initrd: string[] = [];
    if (!boot) this.problems.error(file, doc.line, `${what}: missing required 'boot'`);
    else {
      const bf = new Fields(boot, `${what} boot`, file, doc.lineOf(['boot']), this.problems, (k) => doc.lineOf(['boot', k]));
      bf.known(['kernel', 'initrd']);
      kernel = bf.str('kernel', true) ?? '';
      initrd = bf.strList('initrd');
    }
    return { id, src: { file, line: doc.line }, raw: map, kernel, initrd, cmdline: this.cmdline(map, doc, file, what) };
  }

  /** cmdline is a list of one-key mappings (the fixtures' form) or one mapping (older docs); order is kept. */
  private cmdline(map: JsonMap, doc: YamlDoc, file: string, what: string): CmdlineParam[] {
    const v = map.cmdline;
    if (v === undefined || v === null) return [];
    const out: CmdlineParam[] = [];
    if (isMap(v)) {
      for (const [key, value] of Object.entries(v)) out.push({ key, value, line: doc.lineOf(['cmdline', key]) });
    } else if (Array.isArray(v)) {
      v.forEach((item, i) => {
        const line = doc.lineOf(['cmdline', i]);
        if (isMap(item)) for (const [key, value] of Object.entries(item)) out.push({ key, value, line });
        else if (typeof item === 'string') out.push({ key: item, value: null, line });
        else this.problems.error(file, line, `${what}: cmdline entries must be 'key: value' mappings`);
      });
    } else this.problems.error(file, doc.lineOf(['cmdline']), `${what}: 'cmdline' must be a list of 'key: value' entries`);
    return out;
  }

  private boot(map: JsonMap, doc: YamlDoc, file: string): Boot | undefined {
    const f = new Fields(map, 'boot', file, doc.line, this.problems, (k) => doc.lineOf([k]));
    f.known(BOOT_KEYS);
    const id = f.str('id', true);
    if (id === undefined) return undefined;
    if (map.name === undefined || map.name === null) map.name = id;
    const what = `boot '${id}'`;
    const operatingSystem = new Fields(map, what, file, doc.line, this.problems, (k) => doc.lineOf([k])).str('operating_system', true) ?? '';
    const u = f.obj('unattended');
    let unattended: Boot['unattended'];
    if (u) {
      const uf = new Fields(u, `${what} unattended`, file, doc.lineOf(['unattended']), this.problems, (k) => doc.lineOf(['unattended', k]));
      uf.known(['type', 'use']);
      const type = uf.str('type', true);
      const use = uf.str('use', true);
      if (type !== undefined && use !== undefined) unattended = { type, use };
    }
    f.obj('metadata');
    f.list('validate');
    f.list('before_shutdown');
    return { id, src: { file, line: doc.line }, raw: map, operatingSystem, ...(unattended ? { unattended } : {}) };
  }

  private workflow(map: JsonMap, doc: YamlDoc, file: string): Workflow | undefined {
    const f = new Fields(map, 'workflow', file, doc.line, this.problems, (k) => doc.lineOf([k]));
    f.known(WORKFLOW_KEYS);
    const id = f.str('id', true);
    if (id === undefined) return undefined;
    const what = `workflow '${id}'`;
    const stages: Workflow['stages'] = [];
    const list = f.list('workflow');
    if (map.workflow === undefined) this.problems.error(file, doc.line, `${what}: missing required 'workflow' (its list of boots)`);
    else if (list.length === 0 && Array.isArray(map.workflow)) this.problems.error(file, doc.lineOf(['workflow']), `${what}: 'workflow' has no boots`);
    list.forEach((s, i) => {
      const line = doc.lineOf(['workflow', i]);
      if (!isMap(s)) {
        this.problems.error(file, line, `${what}: each stage must be a mapping with 'boot'`);
        return;
      }
      const sf = new Fields(s, `${what} stage ${i + 1}`, file, line, this.problems);
      sf.known(['boot']);
      const boot = sf.str('boot', true);
      if (boot !== undefined) stages.push({ boot, line });
    });
    const d = f.obj('deps') ?? {};
    const df = new Fields(d, `${what} deps`, file, doc.lineOf(['deps']), this.problems, (k) => doc.lineOf(['deps', k]));
    df.known(DEPS_KEYS);
    const deps = {
      max_concurrent: df.int('max_concurrent', 0),
      min_standing: df.int('min_standing', 0),
      block_deps: df.strList('block_deps'),
      validate_on: df.strList('validate_on'),
      max_fail: df.int('max_fail', 0),
    };
    for (const [k, v] of Object.entries(deps)) if (typeof v === 'number' && v < 0) this.problems.error(file, doc.lineOf(['deps', k]), `${what} deps: '${k}' must not be negative`);
    return { id, src: { file, line: doc.line }, raw: map, stages, deps };
  }
}
