// Template checks: every asset and snippet parses, and for every host, every
// stage of its workflow renders (iPXE script and unattended config) with the
// metadata present, without `<no value>`, into a valid document of its type.
// The same problem for many hosts is reported once, naming the hosts.
import { validateAsset } from './assets/index.ts';
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

class HostGroups {
  private groups = new Map<string, { file: string; line: number; level: Level; message: string; hosts: string[] }>();
  add(file: string, line: number, level: Level, msg: string, host: string): void {
    const key = `${file}\0${line}\0${level}\0${msg}`;
    const g = this.groups.get(key);
    if (g) g.hosts.push(host);
    else this.groups.set(key, { file, line, level, message: msg, hosts: [host] });
  }
  flush(problems: Problems): void {
    for (const g of this.groups.values()) {
      const shown = g.hosts.slice(0, 5).join(', ');
      const more = g.hosts.length > 5 ? ` and ${g.hosts.length - 5} more` : '';
      problems.add({ file: g.file, line: g.line, level: g.level, message: `${g.message} (host${g.hosts.length > 1 ? 's' : ''} ${shown}${more})` });
    }
  }
}

export function checkTemplates(sot: Sot, problems: Problems): void {
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
        for (const p of validateAsset(u.type as (typeof ASSET_TYPES)[number], text)) {
          groups.add(asset.file, 0, p.level, `rendered ${u.type}, output line ${p.line}: ${p.message}`, who);
        }
      }
    }
  }
  groups.flush(problems);
}
