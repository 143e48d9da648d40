// iPXE scripts: the discovery chain every unknown-stage host gets first, and
// a host's boot script by Vaquero's cmdline translation rules (kernel URL and
// cmdline, one initrd line per initrd, boot).
import type { TemplateInput, RenderTarget } from './data.ts';
import { compileOs, execute, type OsPart } from './compiled.ts';
import { configURL } from './urls.ts';

export const DISCOVERY_SCRIPT = '#!ipxe\nchain ipxe?uuid=${uuid}&mac=${net0/mac:hexhyp}&domain=${domain}&hostname=${hostname}\n';

/** Kernel parameter that hands each unattended type's config URL to the installer. */
export const CONFIG_PARAM: Record<string, string | undefined> = {
  ignition: 'coreos.config.url',
  'cloud-config': 'cloud-config-url',
  kickstart: 'inst.ks',
};

export interface IpxeOptions {
  /** UEFI iPXE needs `initrd=<name>` on the kernel line for each initrd (notes: 2019 iPXE); added when missing. */
  uefi?: boolean;
  missingKey?: 'error';
}

export function ipxeScript(t: RenderTarget, input: TemplateInput, opts: IpxeOptions = {}): string {
  const c = compileOs(t.os);
  const run = (p: OsPart | string): string => (typeof p === 'string' ? p : execute(c.set, p.name, input, opts.missingKey));
  const kernel = run(c.kernel);
  const initrds = c.initrd.map(run);
  const params: string[] = [];
  for (const { param, values } of c.cmdline) {
    if (values === null) params.push(param.key);
    else if (Array.isArray(values)) for (const v of values) params.push(withValue(param.key, run(v)));
    else params.push(withValue(param.key, run(values)));
  }
  const configParam = t.boot.unattended ? CONFIG_PARAM[t.boot.unattended.type] : undefined;
  if (configParam) params.push(`${configParam}=${configURL(t.agentURL, t.iface.mac, t.boot.id)}`);
  if (opts.uefi) {
    for (const url of initrds) {
      const name = basename(url);
      if (!params.includes(`initrd=${name}`)) params.push(`initrd=${name}`);
    }
  }
  const lines = ['#!ipxe', [`kernel ${kernel}`, ...params].join(' ')];
  for (const i of initrds) lines.push(`initrd ${i}`);
  lines.push('boot');
  return lines.join('\n') + '\n';
}

/** An empty rendered value gives `key`, anything else `key=value` (`lang: ' '` gives `lang= `). */
function withValue(key: string, value: string): string {
  return value === '' ? key : `${key}=${value}`;
}

function basename(url: string): string {
  const path = url.split(/[?#]/)[0] ?? url;
  return path.slice(path.lastIndexOf('/') + 1);
}
