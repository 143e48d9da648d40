// The asset server's host-facing routes over the example models, driven by
// real curl: iPXE discovery and host scripts, configs, checkpoints, and how
// unknown MACs, bad requests, render failures and thrown handlers answer.
import { connect } from 'node:net';
import { pino } from 'pino';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createAssetRoutes } from '../../src/agent/asset-routes.ts';
import type { AssetRoutes } from '../../src/io/http/routes.ts';
import { DISCOVERY_SCRIPT } from '../../src/render/ipxe.ts';
import { copySot, LAB_SOT } from '../helpers/sot.ts';
import { curl, curlVersion, model, parseResponse, start, until, withoutAt } from './support/harness.ts';

test('curl is installed (Debian package curl)', () => {
  assert.match(curlVersion(), /^curl \d+\.\d+/);
});

test('GET /ipxe without a MAC: the discovery chain script and an event', async () => {
  const h = await start();
  try {
    const r = await curl(['-i', `${h.base}/ipxe`]);
    assert.is(r.code, 0, r.err);
    const res = parseResponse(r.body);
    assert.is(res.status, 200);
    assert.is(res.headers['content-type'], 'text/plain; charset=utf-8');
    assert.is(res.body.toString(), DISCOVERY_SCRIPT);
    assert.equal(withoutAt(h.events), [{ type: 'http.ipxe-discovery', remote: '127.0.0.1' }]);
  } finally {
    await h.close();
  }
});

test('GET /ipxe?mac=<hexhyp>: the host script for its first workflow stage, with what iPXE sent in the event', async () => {
  const h = await start();
  try {
    const r = await curl([`${h.base}/ipxe?uuid=4c4c4544-0001&mac=00-00-00-00-00-01&domain=foo.bar.com&hostname=host1`]);
    assert.is(r.code, 0, r.err);
    assert.is(r.body.toString(), [
      '#!ipxe',
      'kernel http://127.0.0.1:24602/files/stable/1053/2.0/coreos_production_pxe.vmlinuz coreos.autologin initrd=coreos_production_pxe_image.cpio.gz coreos.config.url=http://127.0.0.1:24602/config/00:00:00:00:00:01?boot=etcd-master',
      'initrd http://127.0.0.1:24602/files/coreos_production_pxe_image.cpio.gz',
      'boot',
      '',
    ].join('\n'));
    assert.equal(withoutAt(h.events), [
      { type: 'http.ipxe', mac: '00:00:00:00:00:01', boot: 'etcd-master', uefi: false, uuid: '4c4c4544-0001', domain: 'foo.bar.com', hostname: 'host1', remote: '127.0.0.1' },
    ]);
    // Colons work too, and empty iPXE variables are left out of the event.
    const colons = await curl([`${h.base}/ipxe?uuid=&mac=00:00:00:00:00:01&domain=&hostname=`]);
    assert.is(colons.body.toString(), r.body.toString());
    assert.equal(withoutAt(h.events.slice(1)), [{ type: 'http.ipxe', mac: '00:00:00:00:00:01', boot: 'etcd-master', uefi: false, remote: '127.0.0.1' }]);
  } finally {
    await h.close();
  }
});

test('URLs in a script use the address the request arrived on, not the model addr; ?boot= picks a later stage', async () => {
  const h = await start({ sot: LAB_SOT });
  try {
    const r = await curl([`${h.base}/ipxe?mac=52-54-00-00-10-01`]);
    assert.is(r.body.toString(), [
      '#!ipxe',
      'kernel http://127.0.0.1:24602/files/tiny/vmlinuz console=ttyS0,115200 vaquero.config=http://127.0.0.1:24602/config/52:54:00:00:10:01?boot=tiny-linux initrd=initramfs.cpio.gz',
      'initrd http://127.0.0.1:24602/files/tiny/initramfs.cpio.gz',
      'boot',
      '',
    ].join('\n'));
    const later = await curl([`${h.base}/ipxe?mac=52-54-00-00-10-01&boot=flatcar-worker`]);
    assert.match(later.body.toString(), /coreos\.config\.url=http:\/\/127\.0\.0\.1:24602\/config\/52:54:00:00:10:01\?boot=flatcar-worker\n/);
    assert.equal(h.events.map((e) => e.type === 'http.ipxe' && e.boot), ['tiny-linux', 'flatcar-worker']);
  } finally {
    await h.close();
  }
});

test('hosts the uefi callback names get initrd= on the kernel line', async () => {
  const asked: string[] = [];
  const h = await start({ uefi: (mac) => (asked.push(mac), mac === '00:00:00:00:00:06') });
  try {
    const uefi = await curl([`${h.base}/ipxe?mac=00-00-00-00-00-06`]);
    assert.match(uefi.body.toString(), / dhcp config fetch initrd=clevos\.initrd\ninitrd http:\/\/127\.0\.0\.1:24602\/files\/boot\/acc\/clevos\.initrd\n/);
    // The same host's second NIC: its own MAC in the config URL, and BIOS by the callback.
    const bios = await curl([`${h.base}/ipxe?mac=00-00-00-00-01-06`]);
    assert.match(bios.body.toString(), / clevos\.installer\.answers=http:\/\/127\.0\.0\.1:24602\/config\/00:00:00:00:01:06\?boot=clevos dhcp config fetch\ninitrd /);
    assert.equal(asked, ['00:00:00:00:00:06', '00:00:00:00:01:06']);
    assert.equal(h.events.map((e) => e.type === 'http.ipxe' && e.uefi), [true, false]);
  } finally {
    await h.close();
  }
});

test('GET /config/<mac>: the rendered unattended config, typed by its asset', async () => {
  const h = await start();
  try {
    const r = await curl(['-i', `${h.base}/config/00:00:00:00:00:01`]);
    const res = parseResponse(r.body);
    assert.is(res.status, 200);
    assert.is(res.headers['content-type'], 'text/yaml; charset=utf-8');
    const text = res.body.toString();
    assert.ok(text.startsWith('---\nnetworkd:\n'), text.slice(0, 40));
    assert.match(text, /MACAddress=00:00:00:00:00:01\n/);
    assert.match(text, /Address=10\.10\.10\.10\n/);
    // The same bytes `vaquero preview` renders for this host.
    const { unattendedConfig } = await import('../../src/render/config.ts');
    const { templateInput } = await import('../../src/render/data.ts');
    const { resolveTarget, findHost } = await import('../../src/render/target.ts');
    const m = model();
    const { host, iface } = findHost(m.site, '00:00:00:00:00:01');
    const t = resolveTarget(m.site, host, iface, { agentAddr: '127.0.0.1' });
    assert.is(text, unattendedConfig(t, templateInput(t)).text);

    const proxy = parseResponse((await curl(['-i', `${h.base}/config/00-00-00-00-00-04?boot=etcd-proxy`])).body);
    assert.is(proxy.status, 200);
    assert.ok(proxy.body.toString().startsWith('#cloud-config\n'));
    const clevos = parseResponse((await curl(['-i', `${h.base}/config/00:00:00:00:00:06`])).body);
    assert.is(clevos.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(withoutAt(h.events), [
      { type: 'http.config', mac: '00:00:00:00:00:01', boot: 'etcd-master', assetType: 'ignition', remote: '127.0.0.1' },
      { type: 'http.config', mac: '00:00:00:00:00:04', boot: 'etcd-proxy', assetType: 'cloud-config', remote: '127.0.0.1' },
      { type: 'http.config', mac: '00:00:00:00:00:06', boot: 'clevos', assetType: 'untyped', remote: '127.0.0.1' },
    ]);
    const ks = await start({ sot: LAB_SOT });
    try {
      const rocky = parseResponse((await curl(['-i', `${ks.base}/config/52:54:00:00:10:21`])).body);
      assert.is(rocky.status, 200);
      assert.is(rocky.headers['content-type'], 'text/plain; charset=utf-8');
      assert.ok(rocky.body.toString().startsWith('# Rocky Linux 9 unattended install for db-1\n'));
    } finally {
      await ks.close();
    }
  } finally {
    await h.close();
  }
});

test('unknown MACs get 404 and an http.unknown-mac event; a BMC MAC or a foreign boot is a 404 with the reason', async () => {
  const h = await start();
  try {
    const a = parseResponse((await curl(['-i', `${h.base}/ipxe?mac=52-54-00-99-99-99`])).body);
    const b = parseResponse((await curl(['-i', `${h.base}/config/52:54:00:99:99:99`])).body);
    const c = parseResponse((await curl(['-i', '-X', 'POST', `${h.base}/checkpoint/52:54:00:99:99:99`])).body);
    assert.equal([a.status, b.status, c.status], [404, 404, 404]);
    assert.is(a.body.toString(), 'unknown MAC address\n');
    const bmc = parseResponse((await curl(['-i', `${h.base}/ipxe?mac=00-00-00-00-01-01`])).body);
    assert.is(bmc.status, 404);
    const foreign = parseResponse((await curl(['-i', `${h.base}/config/00:00:00:00:00:01?boot=clevos`])).body);
    assert.is(foreign.status, 404);
    assert.is(foreign.body.toString(), "boot 'clevos' is not a stage of host 'host1''s workflow 'etcd-master' (etcd-master)\n");
    assert.equal(withoutAt(h.events), [
      { type: 'http.unknown-mac', route: 'ipxe', mac: '52:54:00:99:99:99', remote: '127.0.0.1' },
      { type: 'http.unknown-mac', route: 'config', mac: '52:54:00:99:99:99', remote: '127.0.0.1' },
      { type: 'http.unknown-mac', route: 'checkpoint', mac: '52:54:00:99:99:99', remote: '127.0.0.1' },
      { type: 'http.not-found', route: 'ipxe', mac: '00:00:00:00:01:01', reason: "MAC 00:00:00:00:01:01 is host 'host1''s BMC interface, which does not boot", remote: '127.0.0.1' },
      { type: 'http.not-found', route: 'config', mac: '00:00:00:00:00:01', reason: "boot 'clevos' is not a stage of host 'host1''s workflow 'etcd-master' (etcd-master)", remote: '127.0.0.1' },
    ]);
  } finally {
    await h.close();
  }
});

test('checkpoints: GET and POST record boot.checkpoint, HEAD records nothing', async () => {
  const h = await start();
  try {
    const get = await curl(['-i', `${h.base}/checkpoint/00:00:00:00:00:01?boot=etcd-master`]);
    const res = parseResponse(get.body);
    assert.is(res.status, 200);
    assert.is(res.body.toString(), 'ok\n');
    const post = await curl(['-X', 'POST', '--data-binary', 'done', `${h.base}/checkpoint/00-00-00-00-00-02`]);
    assert.is(post.body.toString(), 'ok\n');
    const head = await curl(['-I', `${h.base}/checkpoint/00:00:00:00:00:01`]);
    assert.is(parseResponse(head.body).status, 200);
    const viaFetch = await fetch(`${h.base}/checkpoint/00:00:00:00:00:03?boot=etcd-master`, { method: 'POST', body: 'x'.repeat(100_000) });
    assert.is(viaFetch.status, 200);
    assert.equal(withoutAt(h.events), [
      { type: 'boot.checkpoint', mac: '00:00:00:00:00:01', boot: 'etcd-master', remote: '127.0.0.1' },
      { type: 'boot.checkpoint', mac: '00:00:00:00:00:02', remote: '127.0.0.1' },
      { type: 'boot.checkpoint', mac: '00:00:00:00:00:03', boot: 'etcd-master', remote: '127.0.0.1' },
    ]);
  } finally {
    await h.close();
  }
});

test('bad MACs are 400, unknown paths 404, other methods 405 with Allow', async () => {
  const h = await start();
  try {
    const bad = parseResponse((await curl(['-i', `${h.base}/ipxe?mac=zz-00`])).body);
    assert.is(bad.status, 400);
    assert.is(bad.body.toString(), "'zz-00' is not a MAC address\n");
    const badConfig = parseResponse((await curl(['-i', `${h.base}/config/%zz`])).body);
    assert.is(badConfig.status, 400);
    for (const path of ['/', '/ipxe/', '/config/00:00:00:00:00:01/x', '/files', '/nope', '/metricsx']) {
      const r = await fetch(h.base + path);
      assert.is(r.status, 404, path);
      await r.arrayBuffer();
    }
    const post = await fetch(`${h.base}/ipxe`, { method: 'POST' });
    assert.is(post.status, 405);
    assert.is(post.headers.get('allow'), 'GET, HEAD');
    await post.arrayBuffer();
    const del = await fetch(`${h.base}/checkpoint/00:00:00:00:00:01`, { method: 'DELETE' });
    assert.is(del.status, 405);
    assert.is(del.headers.get('allow'), 'GET, HEAD, POST');
    await del.arrayBuffer();
    const put = await fetch(`${h.base}/files/x`, { method: 'PUT', body: 'x' });
    assert.is(put.status, 405);
    await put.arrayBuffer();
    assert.equal(withoutAt(h.events), [
      { type: 'http.bad-request', route: 'ipxe', reason: "'zz-00' is not a MAC address", remote: '127.0.0.1' },
      { type: 'http.bad-request', route: 'config', reason: "'%zz' is not a MAC address", remote: '127.0.0.1' },
    ]);
  } finally {
    await h.close();
  }
});

test('/health answers ok, or 503 while the readiness callback says not ready', async () => {
  let ready = true;
  const h = await start({ readiness: () => (ready ? { ready: true } : { ready: false, reason: 'model is stale' }) });
  try {
    const ok = await fetch(`${h.base}/health`);
    assert.is(ok.status, 200);
    assert.equal(await ok.json(), { status: 'ok', openStreams: 0 });
    ready = false;
    const down = await fetch(`${h.base}/health`);
    assert.is(down.status, 503);
    assert.equal(await down.json(), { status: 'unavailable', reason: 'model is stale' });
  } finally {
    await h.close();
  }
});

test('no model yet: 503 and http.unavailable', async () => {
  const h = await start({ routes: createAssetRoutes(() => undefined) });
  try {
    const r = await fetch(`${h.base}/ipxe?mac=00-00-00-00-00-01`);
    assert.is(r.status, 503);
    assert.is(await r.text(), 'no model loaded yet\n');
    // The discovery script needs no model.
    assert.is((await fetch(`${h.base}/ipxe`)).status, 200);
    assert.equal(withoutAt(h.events), [
      { type: 'http.unavailable', route: 'ipxe', reason: 'no model loaded yet', remote: '127.0.0.1' },
      { type: 'http.ipxe-discovery', remote: '127.0.0.1' },
    ]);
  } finally {
    await h.close();
  }
});

test('a template that fails to render is a 500 with an http.render-error event; the model swap is seen by the next request', async () => {
  const copy = copySot(LAB_SOT);
  try {
    copy.edit('assets/kickstart/rocky.ks', '# Rocky Linux {{', '{{template "missing-snippet"}}# Rocky Linux {{');
    const broken = model(copy.dir);
    let current = model(LAB_SOT);
    const h = await start({ routes: createAssetRoutes(() => current) });
    try {
      assert.is((await fetch(`${h.base}/config/52:54:00:00:10:21`)).status, 200);
      current = broken;
      const r = await fetch(`${h.base}/config/52:54:00:00:10:21`);
      assert.is(r.status, 500);
      const body = await r.text();
      assert.match(body, /missing-snippet/);
      const ev = h.events.find((e) => e.type === 'http.render-error');
      assert.ok(ev && ev.type === 'http.render-error');
      assert.equal({ ...ev, at: 0 }, { type: 'http.render-error', route: 'config', mac: '52:54:00:00:10:21', boot: 'rocky-install', reason: body.trimEnd(), remote: '127.0.0.1', at: 0 });
      assert.is(h.registry.counter('vaquero_http_errors_total', '', ['kind']).get({ kind: 'render' }), 1);
    } finally {
      await h.close();
    }
  } finally {
    copy.cleanup();
  }
});

test('a handler that throws is a 500 plus an event; the server keeps serving', async () => {
  const real = createAssetRoutes(() => model());
  const routes: AssetRoutes = {
    ...real,
    ipxe: () => {
      throw new Error('boom');
    },
    config: () => Promise.reject(new Error('async boom')),
  };
  const h = await start({ routes });
  try {
    const a = await fetch(`${h.base}/ipxe?mac=00-00-00-00-00-01`);
    assert.is(a.status, 500);
    assert.is(await a.text(), 'internal error\n');
    const b = await fetch(`${h.base}/config/00:00:00:00:00:01`);
    assert.is(b.status, 500);
    await b.arrayBuffer();
    assert.is((await fetch(`${h.base}/ipxe`)).status, 200);
    assert.equal(withoutAt(h.events), [
      { type: 'http.handler-error', route: 'ipxe', reason: 'boom', remote: '127.0.0.1' },
      { type: 'http.handler-error', route: 'config', reason: 'async boom', remote: '127.0.0.1' },
      { type: 'http.ipxe-discovery', remote: '127.0.0.1' },
    ]);
    assert.is(h.registry.counter('vaquero_http_errors_total', '', ['kind']).get({ kind: 'handler' }), 2);
  } finally {
    await h.close();
  }
});

test('a malformed request gets 400 from the parser, is counted, and the server keeps serving', async () => {
  const h = await start();
  try {
    const reply = await new Promise<string>((resolve, reject) => {
      const s = connect(h.port, '127.0.0.1');
      let got = '';
      s.on('data', (b) => (got += b.toString()));
      s.on('error', reject);
      s.on('close', () => resolve(got));
      s.end('GARBAGE \x01\x02 HTTP/9\r\n\r\n');
    });
    assert.ok(reply.startsWith('HTTP/1.1 400 Bad Request\r\n'), reply);
    await until('client-error event', 2000, () => h.events.some((e) => e.type === 'http.client-error'));
    assert.is(h.registry.counter('vaquero_http_errors_total', '', ['kind']).get({ kind: 'client' }), 1);
    assert.is((await fetch(`${h.base}/ipxe`)).status, 200);
  } finally {
    await h.close();
  }
});

test('with a debug logger, each request is logged when its response closes', async () => {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) });
  const h = await start({ logger });
  try {
    const body = await (await fetch(`${h.base}/ipxe?mac=00-00-00-00-00-01`)).text();
    const entry = await until('the access log line', 2000, () => lines.find((l) => l.msg === 'http: request'));
    assert.equal({ ...entry, time: 0, pid: 0, hostname: '', ms: 0 }, {
      level: 20,
      time: 0,
      pid: 0,
      hostname: '',
      method: 'GET',
      url: '/ipxe?mac=00-00-00-00-00-01',
      status: 200,
      bytes: Buffer.byteLength(body),
      ms: 0,
      remote: '127.0.0.1',
      complete: true,
      msg: 'http: request',
    });
  } finally {
    await h.close();
  }
});

test('/metrics: requests by route and status, bytes, events, in the text format', async () => {
  const h = await start();
  try {
    let bytes = 0;
    for (const q of ['', '?mac=00-00-00-00-00-01', '?mac=00-00-00-00-99-99']) bytes += (await (await fetch(`${h.base}/ipxe${q}`)).arrayBuffer()).byteLength;
    // The counters are updated when each response closes.
    await until('three ipxe responses counted', 2000, () => h.registry.metrics().includes('vaquero_http_request_duration_seconds_count{route="ipxe"} 3'));
    const r = await fetch(`${h.base}/metrics`);
    assert.is(r.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    const text = await r.text();
    const lines = text.split('\n');
    for (const want of [
      '# TYPE vaquero_http_requests_total counter',
      'vaquero_http_requests_total{route="ipxe",status="200"} 2',
      'vaquero_http_requests_total{route="ipxe",status="404"} 1',
      `vaquero_http_response_bytes_total{route="ipxe"} ${bytes}`,
      'vaquero_http_events_total{type="http.ipxe-discovery"} 1',
      'vaquero_http_events_total{type="http.ipxe"} 1',
      'vaquero_http_events_total{type="http.unknown-mac"} 1',
      'vaquero_http_open_streams 0',
    ]) {
      assert.ok(lines.includes(want), `missing: ${want}\n${text}`);
    }
  } finally {
    await h.close();
  }
});

test.run();
