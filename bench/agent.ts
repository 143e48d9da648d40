// Benchmark: our agent side by side with the peer servers, in one run, in the
// same two-namespace topology (server namespace 10.100.0.2/16 <-veth->
// client namespace 10.100.0.1/16): DHCP against Kea and dnsmasq (perfdhcp),
// TFTP against tftpd-hpa, dnsmasq and atftpd (curl, atftp), HTTP against nginx
// (wrk; nginx with sendfile on and off), and a 1,000-host boot storm. Prints figures and ratios (ours / peer)
// with the targets beside them; asserts nothing. Peers that are not installed
// are reported as such, with the command that installs them. Needs root (ip netns).
//
//   npm run bench:agent [-- --only dhcp|tftp|http|storm] [--step-seconds 4] [--http-seconds 5]
//                       [--hosts 1000] [--concurrency 200] [--atftpd PATH] [--cpu-prof DIR] [--tftp-servers ours,dnsmasq,...]
import { chmodSync, closeSync, copyFileSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Spawned } from '../test/helpers/netns.ts';
import { CPU, ROOT, SERVER_IP, type Row, type Topology, fmt, killRunning, log, ratio, runBounded, spawnPinned, topology, which } from './agent/common.ts';
import { benchDhcp, type DhcpResult, type DhcpServer } from './agent/dhcp.ts';
import { benchHttp, type HttpResult, type HttpTarget } from './agent/http.ts';
import { SITE, hosts, writeModels } from './agent/model.ts';
import { benchStorm, type StormResult } from './agent/storm.ts';
import { benchTftp, type TftpResult, type TftpServer } from './agent/tftp.ts';

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    'step-seconds': { type: 'string', default: '4' },
    'http-seconds': { type: 'string', default: '5' },
    hosts: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '200' },
    atftpd: { type: 'string' },
    'cpu-prof': { type: 'string' },
    'tftp-servers': { type: 'string' },
  },
});
const PARTS = ['dhcp', 'tftp', 'http', 'storm'] as const;
type Part = (typeof PARTS)[number];
if (values.only !== undefined && !PARTS.includes(values.only as Part)) {
  console.error(`--only must be one of ${PARTS.join(', ')}`);
  process.exit(2);
}
const want = (p: Part): boolean => values.only === undefined || values.only === p;
const STEP_S = Number(values['step-seconds']);
const HTTP_S = Number(values['http-seconds']);
const N_HOSTS = Number(values.hosts);
const HTTP_PORT = 24602;
const NGINX_PORT = 8080;
const ROM = '/usr/lib/ipxe/undionly.kpxe';
const AGENT_BIN = join(ROOT, 'bin', 'vaquero.js');

// ---- what is installed ------------------------------------------------------------------------
const INSTALL: Record<string, string> = {
  perfdhcp: 'apt-get install -y kea-admin',
  kea: 'apt-get install -y kea-dhcp4-server',
  dnsmasq: 'apt-get install -y dnsmasq-base',
  'tftpd-hpa': 'apt-get install -y tftpd-hpa   (conflicts with atftpd)',
  atftpd: 'apt-get install -y atftpd   (conflicts with tftpd-hpa; or: apt-get download atftpd && dpkg -x atftpd_*.deb /opt/atftpd, then --atftpd /opt/atftpd/usr/sbin/atftpd)',
  nginx: 'apt-get install -y nginx-light',
  wrk: 'apt-get install -y wrk',
  atftp: 'apt-get install -y atftp',
  curl: 'apt-get install -y curl',
  ipxe: 'apt-get install -y ipxe',
};

function version(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 5000 }).trim();
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    return `${err.stdout ?? ''}${err.stderr ?? ''}`.trim();
  }
}

/** tftpd-hpa's in.tftpd, not atftpd's (the atftpd package installs an in.tftpd too). */
function tftpdHpa(): string | undefined {
  const p = which('in.tftpd');
  return p && /tftp-hpa/i.test(version(p, ['-V'])) ? p : undefined;
}

const bins = {
  perfdhcp: which('perfdhcp'),
  kea: which('kea-dhcp4'),
  dnsmasq: which('dnsmasq'),
  'tftpd-hpa': tftpdHpa(),
  atftpd: values.atftpd ?? which('atftpd'),
  nginx: which('nginx'),
  wrk: which('wrk'),
  atftp: which('atftp'),
  curl: which('curl'),
  ipxe: statSafe(ROM) ? ROM : undefined,
};
function statSafe(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}

const rows: Row[] = [];
const notes: string[] = [];
const missing = (name: keyof typeof bins): string => `${name}: not installed (${INSTALL[name]})`;

// ---- set-up ---------------------------------------------------------------------------------
const work = mkdtempSync(join(tmpdir(), 'vaquero-bench-agent-'));
chmodSync(work, 0o755); // dnsmasq, tftpd-hpa and nginx workers read as nobody
let topo: Topology | undefined;
let cleaned = false;
function cleanupSync(): void {
  if (cleaned) return;
  cleaned = true;
  killRunning();
  topo?.net.cleanupSync();
  rmSync(work, { recursive: true, force: true });
}
process.on('exit', cleanupSync);
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => {
  cleanupSync();
  process.exit(130);
});

function bigFile(path: string, bytes: number): void {
  const fd = openSync(path, 'w', 0o644);
  const chunk = randomBytes(1 << 20);
  for (let n = 0; n < bytes; n += chunk.length) writeSync(fd, chunk, 0, Math.min(chunk.length, bytes - n));
  closeSync(fd);
}

function startAgent(t: Topology, sotDir: string, cpu: string, services: { dhcp?: boolean; tftp?: boolean; bind?: string }, extra: string[], profTag: string): () => Promise<Spawned> {
  return async () => {
    const prof = values['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', values['cpu-prof'], '--cpu-prof-name', `agent-${profTag}-${Date.now()}.cpuprofile`] : [];
    const a = spawnPinned(t, t.srv, cpu, process.execPath, [
      ...prof, AGENT_BIN, 'agent', '--sot', sotDir, '--site', SITE, '--bind', services.bind ?? '0.0.0.0',
      '--dhcp-port', services.dhcp ? '67' : 'off', '--tftp-port', services.tftp ? '69' : 'off',
      '--http-port', String(HTTP_PORT), '--admin', 'off', '--log-level', 'warn', ...extra,
    ]);
    await a.waitForLine(/model \S+ loaded/, 60_000);
    return a;
  };
}

function header(s: string): void {
  log(`\n== ${s}`);
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const list = hosts(N_HOSTS);
  const models = writeModels(work, list, HTTP_PORT);
  log(`vaquero agent benchmark, ${new Date().toISOString()}`);
  log(`machine: ${cpus().length} vCPU ${cpus()[0]?.model ?? ''}; node ${process.version}; load average at start ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')} (other work on the machine skews every figure)`);
  log(`pinning (taskset): DHCP/HTTP servers on CPU ${CPU.server}, perfdhcp/wrk/storm client on CPU ${CPU.client}; TFTP server and client both on CPU ${CPU.tftp}`);
  log(`topology: namespace srv ${SERVER_IP}/16 <-veth-> namespace cli 10.100.0.1/16 (also the giaddr of relayed DHCP)`);
  for (const [k, v] of Object.entries(bins)) log(`  ${k.padEnd(10)} ${v ?? `not installed: ${INSTALL[k]}`}`);
  topo = await topology();
  const t = topo;

  // ---- DHCP ------------------------------------------------------------------------------------
  if (want('dhcp')) {
    header(`DHCP: perfdhcp -g single, relayed, ${N_HOSTS} reserved MACs; rate steps of ${STEP_S} s`);
    if (!bins.perfdhcp) notes.push(`DHCP skipped: ${missing('perfdhcp')}`);
    else {
      const servers: DhcpServer[] = [{ name: 'ours', start: startAgent(t, models.sotDir, CPU.server, { dhcp: true }, [], 'dhcp') }];
      if (bins.kea) servers.push({
        name: 'Kea',
        start: async () => spawnPinned(t, t.srv, CPU.server, bins.kea!, ['-c', models.keaConf], { ...process.env, KEA_PIDFILE_DIR: work, KEA_LOCKFILE_DIR: work, KEA_LOG_CHECK_VERBOSE: '0' }),
      });
      else notes.push(missing('kea'));
      if (bins.dnsmasq) servers.push({ name: 'dnsmasq', start: async () => spawnPinned(t, t.srv, CPU.server, bins.dnsmasq!, ['-C', models.dnsmasqConf, '--quiet-dhcp', '--pid-file=']) });
      else notes.push(missing('dnsmasq'));
      const res: Record<string, DhcpResult | undefined> = {};
      for (const s of servers) {
        log(`  ${s.name}`);
        try {
          res[s.name] = await benchDhcp(t, s, models.macList, STEP_S);
          log(`    max rate ${fmt(res[s.name]!.maxRate)}/s (${res[s.name]!.stop})`);
        } catch (err) {
          log(`    failed: ${(err as Error).message}`);
        }
      }
      const peers = (f: (r: DhcpResult) => number | undefined): Record<string, number | undefined> => ({ Kea: res.Kea && f(res.Kea), dnsmasq: res.dnsmasq && f(res.dnsmasq) });
      const row = (metric: string, unit: string, f: (r: DhcpResult) => number | undefined, digits: number, lowerIsBetter: boolean, target?: string): void => {
        rows.push({ section: 'DHCP', metric, unit, ours: res.ours && f(res.ours), peers: peers(f), digits, lowerIsBetter, ...(target ? { target } : {}) });
      };
      row('highest DORA rate, loss <= 1%', 'DORA/s', (r) => r.maxRate, 0, false, '>= Kea');
      row('DISCOVER->OFFER p50 at 500/s', 'ms', (r) => r.offerP50, 3, true);
      row('DISCOVER->OFFER p99 at 500/s', 'ms', (r) => r.offerP99, 3, true);
      row('REQUEST->ACK p50 at 500/s', 'ms', (r) => r.ackP50, 3, true);
      row('REQUEST->ACK p99 at 500/s', 'ms', (r) => r.ackP99, 3, true);
      row('server CPU per 1,000 DORAs at 500/s', 'CPU ms', (r) => r.cpuPer1000, 0, true, '<= Kea');
      row('server CPU per 1,000 DORAs at the highest rate', 'CPU ms', (r) => r.cpuPer1000AtMax, 0, true, '<= Kea');
      for (const [k, r] of Object.entries(res)) if (r) notes.push(`DHCP ${k}: search stopped: ${r.stop}`);
    }
  }

  // ---- TFTP ------------------------------------------------------------------------------------
  if (want('tftp')) {
    header('TFTP: undionly.kpxe x100 sequential and x50 concurrent (curl, blksize 1468); 16 MiB at blksize 1468 with and without windowsize 16 (atftp)');
    if (!bins.curl || !bins.atftp || !bins.ipxe) notes.push(`TFTP skipped: ${[!bins.curl && missing('curl'), !bins.atftp && missing('atftp'), !bins.ipxe && missing('ipxe')].filter(Boolean).join('; ')}`);
    else {
      const dir = join(work, 'tftp');
      mkdirSync(dir, { mode: 0o755 });
      chmodSync(dir, 0o755);
      copyFileSync(ROM, join(dir, 'undionly.kpxe'));
      bigFile(join(dir, 'big16.bin'), 16 * 1024 * 1024);
      const rom = { name: 'undionly.kpxe', size: statSync(ROM).size };
      const big = { name: 'big16.bin', size: 16 * 1024 * 1024 };
      // Each is started on an address of its own (see bench/agent/tftp.ts).
      const servers: TftpServer[] = [
        { name: 'ours', start: (ip) => startAgent(t, models.sotDir, CPU.tftp, { tftp: true, bind: ip }, ['--tftp-dir', dir], 'tftp')() },
        // Not a peer: the least node can do for these fetches (bench/agent/tftp-floor.ts), so the table shows
        // how much of a shortfall is node's own cost per datagram and how much is ours.
        { name: 'node floor', start: async (ip) => spawnPinned(t, t.srv, CPU.tftp, process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'agent', 'tftp-floor.ts'), dir, ip, '69']) },
        // The same with every transfer on one port and syscalls batched (recvmmsg/sendmmsg):
        // how much of node's cost per datagram a server could shed that way.
        { name: 'node mmsg floor', start: async (ip) => spawnPinned(t, t.srv, CPU.tftp, process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'agent', 'tftp-floor-mmsg.ts'), dir, ip, '69']) },
      ];
      if (bins['tftpd-hpa']) servers.push({ name: 'tftpd-hpa', start: async (ip) => spawnPinned(t, t.srv, CPU.tftp, bins['tftpd-hpa']!, ['--foreground', '--address', `${ip}:69`, '--secure', '--user', 'nobody', dir]) });
      else notes.push(missing('tftpd-hpa'));
      if (bins.dnsmasq) servers.push({
        name: 'dnsmasq',
        start: async (ip) => spawnPinned(t, t.srv, CPU.tftp, bins.dnsmasq!, ['--conf-file=/dev/null', '--keep-in-foreground', '--log-facility=-', '--pid-file=', '--port=0', '--enable-tftp', `--tftp-root=${dir}`, `--listen-address=${ip}`, '--bind-interfaces']),
      });
      else notes.push(missing('dnsmasq'));
      if (bins.atftpd) servers.push({ name: 'atftpd', start: async (ip) => spawnPinned(t, t.srv, CPU.tftp, bins.atftpd!, ['--daemon', '--no-fork', '--port', '69', '--bind-address', ip, '--user', 'nobody', '--group', 'nogroup', '--logfile', '/dev/null', dir]) });
      else notes.push(missing('atftpd'));
      // --tftp-servers 'ours,dnsmasq' measures those alone (a quicker comparison).
      const only = values['tftp-servers']?.split(',').map((n) => n.trim());
      let res: Record<string, TftpResult | undefined> = {};
      try {
        res = await benchTftp(t, only ? servers.filter((s) => only.includes(s.name)) : servers, rom, big, work);
      } catch (err) {
        log(`  failed: ${(err as Error).message}`);
      }
      const names = ['node floor', 'node mmsg floor', 'tftpd-hpa', 'dnsmasq', 'atftpd'];
      const row = (metric: string, unit: string, f: (r: TftpResult) => number | undefined, digits: number, target?: string, lowerIsBetter = false): void => {
        rows.push({ section: 'TFTP', metric, unit, ours: res.ours && f(res.ours), peers: Object.fromEntries(names.map((n) => [n, res[n] && f(res[n])])), digits, lowerIsBetter, ...(target ? { target } : {}) });
      };
      row('undionly.kpxe, 100 sequential', 'transfers/s', (r) => r.seqPerSec, 0);
      row('undionly.kpxe, 100 sequential', 'MB/s', (r) => r.seqMBps, 1);
      row('undionly.kpxe, 50 concurrent', 'transfers/s', (r) => r.concPerSec, 0, '>= dnsmasq');
      row('undionly.kpxe, 50 concurrent', 'MB/s', (r) => r.concMBps, 1, '>= dnsmasq');
      row('undionly.kpxe, 50 concurrent: server CPU per 1,000 fetches', 'CPU ms', (r) => r.concCpuPer1000, 0, undefined, true);
      row('16 MiB, blksize 1468', 'MB/s', (r) => r.bigMBps, 1);
      row('16 MiB, blksize 1468, windowsize 16', 'MB/s', (r) => r.bigWindowMBps, 1, '>= atftpd');
      row('failed transfers', 'count', (r) => r.failures, 0);
    }
  }

  // ---- HTTP ------------------------------------------------------------------------------------
  if (want('http')) {
    header(`HTTP: wrk -t 1 -c 4 -d ${HTTP_S}s, 3 runs each (median): a 256 MB file and a host's iPXE script`);
    if (!bins.wrk) notes.push(`HTTP skipped: ${missing('wrk')}`);
    else {
      const files = join(work, 'files');
      mkdirSync(files, { mode: 0o755 });
      bigFile(join(files, 'big256.bin'), 256 * 1024 * 1024);
      const mac = list[0]!.mac;
      // wrk Lua: each request the next host's script, so no one host's boot actor sees them all.
      const lua = (path: string): string => {
        const f = join(work, `rotate-${path.replace(/\W/g, '')}.lua`);
        writeFileSync(f, `local macs = {${list.map((h) => `"${h.mac}"`).join(',')}}\nlocal i = 0\nrequest = function()\n  i = i % #macs + 1\n  return wrk.format("GET", "${path}" .. macs[i])\nend\n`);
        return f;
      };
      const targets: HttpTarget[] = [{ name: 'ours', port: HTTP_PORT, bigPath: '/files/big256.bin', scriptPath: `/ipxe?mac=${mac}`, scriptManyLua: lua('/ipxe?mac='), start: startAgent(t, models.sotDir, CPU.server, {}, ['--files', files], 'http') }];
      if (bins.nginx) {
        // The static copy of the script is what ours renders for the same host, fetched once.
        const ours = await targets[0]!.start();
        const r = await runBounded('ip', ['netns', 'exec', t.srv, 'curl', '-sS', '--max-time', '10', `http://${SERVER_IP}:${HTTP_PORT}/ipxe?mac=${mac}`], 20_000);
        await ours.kill();
        writeFileSync(join(files, 'script.ipxe'), r.stdout, { mode: 0o644 });
        log(`  the iPXE script of ${mac}: ${r.stdout.length} bytes (${r.stdout.split('\n').length} lines), copied for nginx`);
        const conf = join(work, 'nginx.conf');
        mkdirSync(join(work, 'nginx'), { mode: 0o755 });
        writeFileSync(conf, [
          'worker_processes 1;', 'daemon off;', 'master_process on;', `pid ${work}/nginx/nginx.pid;`, `error_log ${work}/nginx/error.log warn;`, 'user nobody nogroup;',
          'events { worker_connections 1024; }',
          'http {', '  access_log off;', '  sendfile on;', '  tcp_nopush on;', '  keepalive_requests 1000000;', '  default_type application/octet-stream;', '  types { text/plain ipxe; }',
          `  client_body_temp_path ${work}/nginx/body;`, `  proxy_temp_path ${work}/nginx/proxy;`, `  fastcgi_temp_path ${work}/nginx/fastcgi;`, `  uwsgi_temp_path ${work}/nginx/uwsgi;`, `  scgi_temp_path ${work}/nginx/scgi;`,
          `  server { listen ${SERVER_IP}:${NGINX_PORT}; root ${files}; }`, '}', '',
        ].join('\n'));
        // sendfile on is how Debian's nginx.conf ships; off (nginx's built-in default) copies through
        // user space as node must, so both are measured.
        writeFileSync(`${conf}.nosendfile`, readFileSync(conf, 'utf8').replace('  sendfile on;\n  tcp_nopush on;\n', '  sendfile off;\n'));
        targets.push({ name: 'nginx', port: NGINX_PORT, bigPath: '/big256.bin', scriptPath: '/script.ipxe', scriptManyLua: lua('/script.ipxe?mac='), start: async () => spawnPinned(t, t.srv, CPU.server, bins.nginx!, ['-c', conf, '-p', `${work}/nginx`, '-e', `${work}/nginx/error.log`]) });
        targets.push({ name: 'nginx-nosendfile', port: NGINX_PORT, bigPath: '/big256.bin', scriptPath: '/script.ipxe', scriptManyLua: lua('/script.ipxe?mac='), start: async () => spawnPinned(t, t.srv, CPU.server, bins.nginx!, ['-c', `${conf}.nosendfile`, '-p', `${work}/nginx`, '-e', `${work}/nginx/error.log`]) });
      } else notes.push(missing('nginx'));
      const res: Record<string, HttpResult | undefined> = {};
      for (const target of targets) {
        log(`  ${target.name}`);
        try {
          res[target.name] = await benchHttp(t, target, `http://${SERVER_IP}:${target.port}`, HTTP_S);
        } catch (err) {
          log(`    failed: ${(err as Error).message}`);
        }
      }
      const row = (metric: string, unit: string, f: (r: HttpResult) => number | undefined, digits: number, target?: string): void => {
        rows.push({ section: 'HTTP', metric, unit, ours: res.ours && f(res.ours), peers: { nginx: res.nginx && f(res.nginx), 'nginx sendfile off': res['nginx-nosendfile'] && f(res['nginx-nosendfile']) }, digits, ...(target ? { target } : {}) });
      };
      row('256 MB file, 4 connections', 'MB/s', (r) => r.bigMBps, 0, '>= 0.9x nginx');
      row('iPXE script of one host (ours rendered, nginx static copy)', 'req/s', (r) => r.scriptReqPerSec, 0, '>= 0.3x nginx');
      row('iPXE script, ?mac= rotating over all hosts', 'req/s', (r) => r.scriptManyReqPerSec, 0, '>= 0.3x nginx');
      row('errors (non-2xx, socket)', 'count', (r) => r.errors, 0);
      rmSync(join(files, 'big256.bin'), { force: true });
    }
  }

  // ---- boot storm ------------------------------------------------------------------------------
  if (want('storm')) {
    header(`boot storm: ${N_HOSTS} hosts queued at once, ${values.concurrency} in flight: DORA (relayed), TFTP undionly.kpxe, /ipxe?mac=, /config/<mac>`);
    const dir = join(work, 'tftp-storm');
    mkdirSync(dir, { mode: 0o755 });
    if (bins.ipxe) copyFileSync(ROM, join(dir, 'undionly.kpxe'));
    else writeFileSync(join(dir, 'undionly.kpxe'), randomBytes(74_213));
    let res: StormResult | undefined;
    try {
      res = await benchStorm(t, startAgent(t, models.sotDir, CPU.server, { dhcp: true, tftp: true }, ['--tftp-dir', dir], 'storm'), list, models.macList, HTTP_PORT, Number(values.concurrency), work);
    } catch (err) {
      log(`    failed: ${(err as Error).message}`);
    }
    rows.push({ section: 'Storm', metric: `time until all ${N_HOSTS} hosts are done`, unit: 's', ...(res ? { ours: res.seconds } : {}), peers: {}, digits: 1, target: '<= 60 s' });
    rows.push({ section: 'Storm', metric: 'failed hosts', unit: 'count', ...(res ? { ours: res.failed } : {}), peers: {}, digits: 0, target: '0' });
    rows.push({ section: 'Storm', metric: 'client retransmissions (DHCP, TFTP)', unit: 'count', ...(res ? { ours: res.retransmits } : {}), peers: {}, digits: 0 });
    rows.push({ section: 'Storm', metric: 'UDP receive-buffer drops at the agent / at the client', unit: 'count', ...(res ? { ours: res.rcvbufDrops.agent } : {}), peers: res ? { client: res.rcvbufDrops.client } : {}, digits: 0 });
    rows.push({ section: 'Storm', metric: 'agent peak RSS (VmHWM)', unit: 'MiB', ...(res ? { ours: res.peakRssMiB } : {}), peers: {}, digits: 0, target: '< 300 MiB' });
    rows.push({ section: 'Storm', metric: 'agent CPU during the storm', unit: 's', ...(res ? { ours: res.cpuSeconds } : {}), peers: {}, digits: 1 });
    if (res) rows.push({ section: 'Storm', metric: 'per host, p50 / p99', unit: 'ms', ours: res.hostP50Ms, peers: { p99: res.hostP99Ms }, digits: 0 });
  }

  // ---- report ----------------------------------------------------------------------------------
  header('figures (ratio = ours / peer)');
  const table: string[] = ['| part | measure | unit | ours | peers | ours / peer | target |', '|---|---|---|---|---|---|---|'];
  for (const r of rows) {
    const peers = Object.entries(r.peers).map(([k, v]) => `${k} ${v === undefined ? 'n/a' : fmt(v, r.digits)}`).join('; ');
    const ratios = r.section === 'Storm' ? '' : Object.entries(r.peers).map(([k, v]) => `${ratio(r.ours, v)} ${k}`).filter((s) => !s.startsWith('-')).join('; ');
    table.push(`| ${r.section} | ${r.metric} | ${r.unit} | ${fmt(r.ours, r.digits)} | ${peers} | ${ratios} | ${r.target ?? ''} |`);
  }
  log(table.join('\n'));
  if (notes.length) log(`\nnotes:\n${notes.map((n) => `- ${n}`).join('\n')}`);
  log(`\ntotal ${((performance.now() - t0) / 1000).toFixed(0)} s; load average at the end ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
}

try {
  await main();
} finally {
  if (topo) await topo.net.cleanup();
  cleanupSync();
}
