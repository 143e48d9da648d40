// Validators for rendered typed assets (DESIGN.md, "Validation": typed assets
// render to valid documents). Pure: text in, problems out.
export type { AssetProblem, Level } from './problem.ts';
export { validateAsset } from './validate-asset.ts';
export type { AssetType } from './validate-asset.ts';
export { validateCloudConfig } from './cloud-config.ts';
export { validateIgnition } from './ignition.ts';
export { validateKickstart } from './kickstart.ts';
