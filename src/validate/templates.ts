// Template checks: every asset and snippet parses, and for every host, every
// stage of its workflow renders (iPXE script and unattended config) with the
// metadata present, without `<no value>`, into a valid document of its type.
// The same problem for many hosts is reported once, naming the hosts.
import { validateAsset, type AssetProblem, type AssetType } from './assets/index.ts';
import { compileAsset, compileOs, findAsset } from '../render/compiled.ts';
import { unattendedConfig } from '../render/config.ts';
import { templateInput } from '../render/data.ts';
import { ipxeScript } from '../render/ipxe.ts';
import { primaryInterface, resolveTarget } from '../render/target.ts';
import { ASSET_TYPES, type Library, type Sot } from '../model/types.ts';
import type { Level, Problems } from '../model/problems.ts';

/** Line of a Go template error (`template: NAME:LINE:COL: ...`), if it names one. */
export function templateErrorLine(message: string): number {
  const m = /^template: .*?:(\d+)(?::\d+)?: /.exec(message);
  return m ? Number(m[1]) : 0;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** A rendered typed document to check, and whose check it is. */
export interface TypedCheck {
  type: AssetType;
  text: string;
}

/** Checks rendered documents: at once (validateAsset), or in worker threads (src/validate/assets/pool.ts). */
export type TypedChecker = (check: TypedCheck) => AssetProblem[] | Promise<AssetProblem[]>;

class HostGroups {
  private groups = new Map<string, { file: string; line: number; level: Level; message: string; hosts: { seq: number; name: string }[] }>();
  private seq = 0;
  /** A host's place in model order, so groups list hosts the same way however checks complete. */
  next(): number {
    return this.seq++;
  }
  add(file: string, line: number, level: Level, msg: string, host: string, seq = this.next()): void {
    const key = `${file}\0${line}\0${level}\0${msg}`;
    const g = this.groups.get(key);
    if (g) g.hosts.push({ seq, name: host });
    else this.groups.set(key, { file, line, level, message: msg, hosts: [{ seq, name: host }] });
  }
  flush(problems: Problems): void {
    for (const g of this.groups.values()) {
      g.hosts.sort((a, b) => a.seq - b.seq);
      const shown = g.hosts.slice(0, 5).map((h) => h.name).join(', ');
      const more = g.hosts.length > 5 ? ` and ${g.hosts.length - 5} more` : '';
      problems.add({ file: g.file, line: g.line, level: g.level, message: `${g.message} (host${g.hosts.length > 1 ? 's' : ''} ${shown}${more})` });
    }
  }
}

export function checkTemplates(sot: Sot, problems: Problems): void {
  // A synchronous checker: walk() has flushed every problem when it returns.
  const done = walk(sot, problems, (c) => validateAsset(c.type, c.text));
  if (done) throw new Error('checkTemplates: a synchronous checker left checks pending');
}

/** The same checks with the typed documents checked by `checker`, which may answer later (a worker pool). */
export async function checkTemplatesWith(sot: Sot, problems: Problems, checker: TypedChecker): Promise<void> {
  await walk(sot, problems, checker);
}

/** Returns undefined when every check was answered at once (problems flushed), else a promise of the flush. */
function walk(sot: Sot, problems: Problems, checker: TypedChecker): Promise<void> | undefined {
  const libraries = new Set<Library>([sot.library]);
  for (const site of sot.sites.values()) for (const h of site.hosts) libraries.add(h.library);
  const broken = new Set<string>();
  for (const lib of libraries) {
    for (const type of ASSET_TYPES) {
      const folder = lib.assets.get(type);
      if (!folder) continue;
      for (const asset of folder.files.values()) {
        try {
          compileAsset(lib, asset);
        } catch (e) {
          broken.add(asset.file);
          const msg = message(e);
          // The failing file may be a snippet parsed into the asset's set.
          const snippet = folder.snippets.find((s) => msg.startsWith(`template: ${s.name}:`) && s.name !== asset.name);
          problems.error(snippet ? snippet.file : asset.file, templateErrorLine(msg), msg);
        }
      }
    }
    for (const os of lib.os.values()) {
      try {
        compileOs(os);
      } catch (e) {
        broken.add(os.src.file);
        problems.error(os.src.file, os.src.line, `os '${os.id}': ${message(e)}`);
      }
    }
  }

  const groups = new HostGroups();
  const pending: Promise<void>[] = [];
  for (const site of sot.sites.values()) {
    for (const host of site.hosts) {
      const iface = primaryInterface(host);
      const wf = host.library.workflows.get(host.workflow);
      if (!iface || !wf) continue; // reported by the reference checks
      for (const stage of wf.stages) {
        const boot = host.library.boots.get(stage.boot);
        const os = boot && host.library.os.get(boot.operatingSystem);
        if (!boot || !os) continue;
        const target = resolveTarget(site, host, iface, { bootId: stage.boot });
        const input = templateInput(target);
        const who = `${host.name}`;
        const stageNote = wf.stages.length > 1 ? ` at stage '${boot.id}'` : '';
        if (!broken.has(os.src.file)) {
          try {
            const script = ipxeScript(target, input);
            if (script.includes('<no value>')) {
              let detail = 'renders <no value>';
              try {
                ipxeScript(target, input, { missingKey: 'error' });
              } catch (e) {
                detail = `renders <no value>: ${message(e)}`;
              }
              groups.add(os.src.file, os.src.line, 'error', `os '${os.id}'${stageNote}: ${detail}`, who);
            }
          } catch (e) {
            groups.add(os.src.file, os.src.line, 'error', `os '${os.id}'${stageNote}: ${message(e)}`, who);
          }
        }
        const u = boot.unattended;
        const asset = u && findAsset(host.library, u.type, u.use);
        if (!u || !asset || broken.has(asset.file)) continue;
        let text: string;
        try {
          text = unattendedConfig(target, input).text;
        } catch (e) {
          const msg = message(e);
          groups.add(asset.file, templateErrorLine(msg), 'error', msg, who);
          continue;
        }
        if (text.includes('<no value>')) {
          let detail = `renders <no value> for metadata the host does not have`;
          try {
            unattendedConfig(target, input, 'error');
          } catch (e) {
            detail = `renders <no value>: ${message(e)}`;
          }
          groups.add(asset.file, templateErrorLine(detail.replace(/^renders <no value>: /, '')), 'error', detail, who);
          continue;
        }
        const seq = groups.next();
        const report = (list: AssetProblem[]): void => {
          for (const p of list) groups.add(asset.file, 0, p.level, `rendered ${u.type}, output line ${p.line}: ${p.message}`, who, seq);
        };
        const result = checker({ type: u.type as AssetType, text });
        if (Array.isArray(result)) report(result);
        else pending.push(result.then(report));
      }
    }
  }
  if (pending.length === 0) {
    groups.flush(problems);
    return undefined;
  }
  return Promise.all(pending).then(() => groups.flush(problems));
}
