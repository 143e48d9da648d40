// Picks the validator for a Vaquero asset type. `untyped` assets are free text
// (answer files, scripts) that nothing here can judge.
import { validateCloudConfig } from './cloud-config.ts';
import { looksClean } from './fast-path.ts';
import { validateIgnition } from './ignition.ts';
import { validateKickstart } from './kickstart.ts';
import type { AssetProblem } from './problem.ts';

export type AssetType = 'ignition' | 'cloud-config' | 'kickstart' | 'untyped';

export function validateAsset(type: AssetType, text: string): AssetProblem[] {
  if ((type === 'ignition' || type === 'cloud-config') && looksClean(type, text)) return [];
  return validateAssetFully(type, text);
}

/** The full check, with every problem's line; what validateAsset answers whenever the fast path is unsure. */
export function validateAssetFully(type: AssetType, text: string): AssetProblem[] {
  switch (type) {
    case 'ignition':
      return validateIgnition(text);
    case 'cloud-config':
      return validateCloudConfig(text);
    case 'kickstart':
      return validateKickstart(text);
    case 'untyped':
      return [];
  }
}
