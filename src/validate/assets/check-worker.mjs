// Worker thread of AssetCheckPool. Plain JavaScript so it starts the same way
// under `node --import tsx` and under bin/vaquero.js (which registers tsx
// through its API, which worker threads do not inherit).
import { parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { validateAsset } = await import('./validate-asset.ts');
parentPort.on('message', (jobs) => {
  parentPort.postMessage(jobs.map((j) => validateAsset(j.type, j.text)));
});
