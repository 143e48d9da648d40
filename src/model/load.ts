// Entry point of the SoT loader: reads a Vaquero source of truth folder into
// a typed Sot plus the list of problems found while reading it. Validation
// of references and templates happens after (src/validate).
import { join, resolve } from 'node:path';
import { VaqueroError } from '../errors.ts';
import { isDir, listDirs } from './files.ts';
import { Loader } from './library.ts';
import { Problems } from './problems.ts';
import { configDir, loadSite } from './site.ts';
import type { Library, Sot, SotConfig } from './types.ts';

export interface LoadResult {
  sot: Sot;
  problems: Problems;
}

const ROOT_ENTRIES = ['assets', 'os', 'boot', 'workflows', 'sites'];

export interface LoadOptions {
  /** Load only these sites (by env id); the shared library is always loaded whole. */
  sites?: readonly string[];
}

export function loadSot(dir: string, problems = new Problems(), opts: LoadOptions = {}): LoadResult {
  const root = resolve(dir);
  if (!isDir(root)) throw new VaqueroError('VQ_ERR_IO', `source of truth '${dir}' is not a readable folder`);
  const loader = new Loader(root, problems);
  const present = listDirs(root);
  if (!present.some((d) => ROOT_ENTRIES.includes(d))) {
    throw new VaqueroError('VQ_ERR_SOT_LAYOUT', `'${dir}' has none of ${ROOT_ENTRIES.join(', ')}: not a Vaquero source of truth`);
  }
  const library = loader.library(root);
  const libraries = new Map<string, Library | undefined>();
  const ctx = {
    loader,
    library,
    libraryFor(config: SotConfig): Library | undefined {
      if (config.type === 'git') {
        problems.error(config.src.file, config.src.line, `config type 'git' (${config.url}) is fetched by the servers; a local load cannot follow it`);
        return undefined;
      }
      const d = configDir(root, config.url);
      if (!libraries.has(d)) {
        if (!isDir(d)) {
          problems.error(config.src.file, config.src.line, `config url '${config.url}' is not a readable folder`);
          libraries.set(d, undefined);
        } else libraries.set(d, d === root ? library : loader.library(d));
      }
      return libraries.get(d);
    },
  };
  const only = opts.sites ? new Set(opts.sites) : undefined;
  const sites = new Map<string, import('./types.ts').Site>();
  const sitesDir = join(root, 'sites');
  for (const name of listDirs(sitesDir)) {
    const site = loadSite(ctx, join(sitesDir, name), name, only);
    if (!site) continue;
    const prev = sites.get(site.id);
    if (prev) problems.error(site.env.src.file, site.env.src.line, `duplicate site id '${site.id}' (also sites/${prev.dir})`);
    else sites.set(site.id, site);
  }
  if (sites.size === 0 && !only) problems.warning('sites', 0, 'no sites in this source of truth');
  return { sot: { root, library, sites }, problems };
}
