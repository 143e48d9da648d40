// The asset routes' render cache: a render is kept per model object, keyed by
// what it depends on (MAC, stage, agent address, firmware kind); a new model
// never sees an old render, and failures are never kept.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createAssetRoutes, type AgentModel } from '../../src/agent/asset-routes.ts';
import type { HostRequest, RouteOutcome } from '../../src/io/http/routes.ts';
import { loadSot } from '../../src/model/load.ts';
import { findSite } from '../../src/render/target.ts';
import { copySot, LAB_SOT } from '../helpers/sot.ts';

const WORKER = '52:54:00:00:10:01';
const ROCKY = '52:54:00:00:10:21';

function load(dir: string): AgentModel {
  const { sot } = loadSot(dir);
  return { sot, site: findSite(sot, 'lab') };
}

const req = (mac: string, more: Partial<HostRequest> = {}): HostRequest => ({ mac, remoteAddress: '10.0.0.9', params: {}, ...more });

function body(o: RouteOutcome): string {
  if (!o.ok) throw new Error(`expected a success, got ${o.kind}: ${o.message}`);
  return o.body;
}

test('the same request on the same model is served from the cache and equals a fresh render', () => {
  const m = load(LAB_SOT);
  const routes = createAssetRoutes(() => m);
  const first = routes.ipxe(req(WORKER, { localAddress: '10.0.0.1' })) as RouteOutcome;
  const second = routes.ipxe(req(WORKER, { localAddress: '10.0.0.1' })) as RouteOutcome;
  assert.is(second, first);
  const fresh = createAssetRoutes(() => m).ipxe(req(WORKER, { localAddress: '10.0.0.1' })) as RouteOutcome;
  assert.equal(second, fresh);
  assert.ok(Object.isFrozen(second));
});

test('stage, agent address and firmware kind each get their own entry', () => {
  const m = load(LAB_SOT);
  let uefi = false;
  const routes = createAssetRoutes(() => m, { uefi: () => uefi });
  const first = body(routes.ipxe(req(WORKER, { localAddress: '10.0.0.1' })) as RouteOutcome);
  const second = body(routes.ipxe(req(WORKER, { localAddress: '10.0.0.1', boot: 'flatcar-worker' })) as RouteOutcome);
  const otherAddr = body(routes.ipxe(req(WORKER, { localAddress: '10.0.0.2' })) as RouteOutcome);
  uefi = true;
  const efi = routes.ipxe(req(WORKER, { localAddress: '10.0.0.1' })) as RouteOutcome;
  assert.not.equal(second, first);
  assert.match(first, /http:\/\/10\.0\.0\.1:/);
  assert.match(otherAddr, /http:\/\/10\.0\.0\.2:/);
  assert.is(otherAddr, first.replaceAll('10.0.0.1', '10.0.0.2'));
  assert.ok(efi.ok && efi.uefi === true);
  // The default stage and the same stage asked for by name are one render.
  assert.is(body(routes.ipxe(req(WORKER, { localAddress: '10.0.0.1', boot: 'tiny-linux' })) as RouteOutcome), first);
});

test('a new model object is rendered anew: an edited SoT is served at once', () => {
  const copy = copySot(LAB_SOT);
  try {
    let m = load(copy.dir);
    const routes = createAssetRoutes(() => m);
    const before = body(routes.ipxe(req(ROCKY)) as RouteOutcome);
    assert.match(before, /console=ttyS0,115200n8/);
    copy.edit('os/rocky.yml', 'ttyS0,115200n8', 'ttyS1,9600n8');
    m = load(copy.dir);
    const after = body(routes.ipxe(req(ROCKY)) as RouteOutcome);
    assert.is(after, before.replace('ttyS0,115200n8', 'ttyS1,9600n8'));
  } finally {
    copy.cleanup();
  }
});

test('failures are not kept: a stage that is not the host\'s answers not-found each time, an unknown MAC unknown-mac', () => {
  const m = load(LAB_SOT);
  const routes = createAssetRoutes(() => m);
  for (let i = 0; i < 2; i++) {
    const o = routes.ipxe(req(WORKER, { boot: 'rocky-install' })) as RouteOutcome;
    assert.ok(!o.ok && o.kind === 'not-found', JSON.stringify(o));
    const u = routes.config(req('02:00:00:00:00:99')) as RouteOutcome;
    assert.ok(!u.ok && u.kind === 'unknown-mac', JSON.stringify(u));
  }
});

test.run();
