import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Registry } from '../../src/metrics/registry.ts';

test('counters, gauges and histograms render in the Prometheus text format', () => {
  const r = new Registry();
  const packets = r.counter('vaquero_dhcp_packets_total', 'DHCP packets received, by message type.', ['type']);
  packets.inc({ type: 'discover' }, 2);
  const ack = packets.labels({ type: 'ack' });
  ack.inc();
  ack.inc(3);
  r.counter('vaquero_untouched_total', 'Never incremented.');
  const g = r.gauge('vaquero_open_streams', 'Open file streams.');
  g.inc();
  g.inc();
  g.dec();
  const h = r.histogram('vaquero_seconds', 'Durations.', ['route'], [0.1, 1]);
  h.observe({ route: 'ipxe' }, 0.05);
  h.observe({ route: 'ipxe' }, 0.5);
  h.observe({ route: 'ipxe' }, 7);
  assert.equal(r.metrics(), [
    '# HELP vaquero_dhcp_packets_total DHCP packets received, by message type.',
    '# TYPE vaquero_dhcp_packets_total counter',
    'vaquero_dhcp_packets_total{type="discover"} 2',
    'vaquero_dhcp_packets_total{type="ack"} 4',
    '# HELP vaquero_untouched_total Never incremented.',
    '# TYPE vaquero_untouched_total counter',
    'vaquero_untouched_total 0',
    '# HELP vaquero_open_streams Open file streams.',
    '# TYPE vaquero_open_streams gauge',
    'vaquero_open_streams 1',
    '# HELP vaquero_seconds Durations.',
    '# TYPE vaquero_seconds histogram',
    'vaquero_seconds_bucket{route="ipxe",le="0.1"} 1',
    'vaquero_seconds_bucket{route="ipxe",le="1"} 2',
    'vaquero_seconds_bucket{route="ipxe",le="+Inf"} 3',
    'vaquero_seconds_sum{route="ipxe"} 7.55',
    'vaquero_seconds_count{route="ipxe"} 3',
    '',
  ].join('\n'));
  assert.is(packets.get({ type: 'ack' }), 4);
  assert.is(g.get(), 1);
});

test('label values and help text are escaped; several labels keep their order', () => {
  const r = new Registry();
  const c = r.counter('x_total', 'a \\ back\nslash "quoted"', ['a', 'b']);
  c.inc({ b: 'line\nbreak', a: 'q"uo\\te' });
  c.inc({ a: 1, b: 2 }, 0.5);
  assert.equal(r.metrics().split('\n'), [
    '# HELP x_total a \\\\ back\\nslash "quoted"',
    '# TYPE x_total counter',
    'x_total{a="q\\"uo\\\\te",b="line\\nbreak"} 1',
    'x_total{a="1",b="2"} 0.5',
    '',
  ]);
});

test('registering again returns the same family; a different shape or a bad name is refused', () => {
  const r = new Registry();
  const a = r.counter('dup_total', 'h', ['x']);
  a.inc({ x: 'y' });
  const b = r.counter('dup_total', 'h', ['x']);
  assert.is(a, b);
  assert.throws(() => r.gauge('dup_total', 'h', ['x']), /already registered as a counter/);
  assert.throws(() => r.counter('dup_total', 'h', ['z']), /already registered/);
  assert.throws(() => r.counter('bad-name', 'h'), /not a valid metric name/);
  assert.throws(() => r.counter('ok_total', 'h', ['__reserved']), /not a valid label name/);
  assert.throws(() => r.histogram('h_seconds', 'h', ['le']), /reserved/);
  assert.throws(() => a.inc({ x: 'y' }, -1), /must be >= 0/);
  // @ts-expect-error a missing label is a type error, and a runtime one for untyped callers
  assert.throws(() => a.inc({}), /missing label 'x'/);
});

test('a gauge collect callback runs at scrape time; special values are written as Prometheus spells them', () => {
  const r = new Registry();
  let open = 3;
  r.gauge('live', 'computed', [], (g) => g.set(undefined, open));
  r.gauge('odd', 'special', ['v']).set({ v: 'inf' }, Infinity);
  r.gauge('odd', 'special', ['v']).set({ v: 'nan' }, NaN);
  assert.match(r.metrics(), /^live 3$/m);
  open = 0;
  const text = r.metrics();
  assert.match(text, /^live 0$/m);
  assert.match(text, /^odd\{v="inf"\} \+Inf$/m);
  assert.match(text, /^odd\{v="nan"\} NaN$/m);
  assert.is(r.contentType, 'text/plain; version=0.0.4; charset=utf-8');
});

test.run();
