// A host's unattended config for a workflow stage: its boot's asset rendered
// with the asset type's snippets.
import { VaqueroError } from '../errors.ts';
import type { RenderTarget, TemplateInput } from './data.ts';
import { compileAsset, execute, findAsset } from './compiled.ts';

export function unattendedConfig(t: RenderTarget, input: TemplateInput, missingKey?: 'error'): { type: string; text: string } {
  const u = t.boot.unattended;
  if (!u) throw new VaqueroError('VQ_ERR_NOT_FOUND', `boot '${t.boot.id}' has no unattended config`);
  const asset = findAsset(t.host.library, u.type, u.use);
  if (!asset) throw new VaqueroError('VQ_ERR_NOT_FOUND', `boot '${t.boot.id}': no asset assets/${u.type}/${u.use}`);
  const c = compileAsset(t.host.library, asset);
  return { type: u.type, text: execute(c.set, asset.name, input, missingKey) };
}
