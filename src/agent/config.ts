// The agent's configuration, parsed and validated once at start-up into a
// typed object. Sources, later ones winning: defaults, the YAML file given
// with --config (Vaquero's names: SavePath, LocalDir.{Dir,PollInterval}, Log,
// Agent.*), environment (VAQUERO_SITE_ID, VAQUERO_AGENT_ID), command line.
import { readFileSync } from 'node:fs';
import { VaqueroError } from '../errors.ts';
import { DEFAULT_BOOT_FILES, type BootFiles } from '../io/dhcp/boot-file.ts';
import { isMap } from '../model/fields.ts';
import { parseYamlDocuments } from '../model/yaml.ts';
import type { Json, JsonMap } from '../model/types.ts';
import { detectionAfterMs } from '../outage/table.ts';

export interface AgentConfig {
  /** The source-of-truth folder the agent serves (the server API is its other model source, later). */
  sotDir: string;
  siteId: string;
  agentId: string;
  /** How often the SoT folder is checked for changes (LocalDir.PollInterval). Default 2000 ms. */
  pollIntervalMs: number;
  /** Where the agent keeps its state (SavePath). Default /var/vaquero. */
  savePath: string;
  /** Address DHCP, TFTP and HTTP listen on. Default 0.0.0.0. */
  bind: string;
  /** DHCP server port (67), or null to run without DHCP. */
  dhcpPort: number | null;
  /** PXE boot-server port for proxy mode. Default 4011. */
  proxyPort: number;
  /** TFTP port (69), or null to run without TFTP. */
  tftpPort: number | null;
  /** Asset server port. Default: the env's asset_server.port (24602). */
  httpPort: number | undefined;
  /** Admin endpoint (health, readiness, metrics, events, boots). Default 127.0.0.1:24604. */
  admin: { host: string; port: number } | null;
  /** Folder /files is served from. Default: the env's asset_server.base_dir. */
  filesDir: string | undefined;
  /** TFTP folder. Default: the env agent's tftp_server.base_dir; Debian's /usr/lib/ipxe is always the fallback. */
  tftpDir: string | undefined;
  /**
   * Lock-step TFTP transfers answer from the listening port, read and answered in batches
   * (Agent.TFTPSinglePort, --tftp-single-port on|off). Off: a port per transfer, for a
   * client or firewall that will not take replies from port 69. Default on.
   */
  tftpSinglePort: boolean;
  /**
   * The boot file DHCP offers each firmware (Agent.BootFiles: BIOS, UEFI, UEFIArm64 are TFTP
   * names; HTTP, HTTPArm64 asset-server paths or URLs, for UEFI HTTP boot). Default
   * DEFAULT_BOOT_FILES (undionly.kpxe, snponly.efi, ...).
   */
  bootFiles: BootFiles;
  /** A booting host that takes no step for this long raises boot.stalled (outage table row va-to-host). */
  stallAfterMs: number;
  /** Events kept in memory for the admin endpoint. Default 1000. */
  eventHistory: number;
  log: { level: string };
}

export const IPXE_FALLBACK_DIR = '/usr/lib/ipxe';

export interface ConfigInput {
  file?: string;
  sot?: string;
  site?: string;
  bind?: string;
  dhcpPort?: string;
  tftpPort?: string;
  httpPort?: string;
  admin?: string;
  files?: string;
  tftpDir?: string;
  tftpSinglePort?: string;
  logLevel?: string;
}

function fail(message: string): never {
  throw new VaqueroError('VQ_ERR_CONFIG', message);
}

/** `2s`, `500ms`, `1m`, or a number of milliseconds. */
export function parseDuration(v: Json | undefined, what: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number' && v >= 0) return v;
  const m = typeof v === 'string' ? /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(v.trim()) : null;
  if (!m) fail(`${what}: '${String(v)}' is not a duration (e.g. 500ms, 2s, 1m)`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 'ms']!;
  return Number(m[1]) * unit;
}

function port(v: string | number | undefined, what: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) fail(`${what}: '${v}' is not a port (0-65535)`);
  return n;
}

/** A port, or `off`/`none` to disable the service. */
function optionalPort(v: string | number | undefined, what: string, dflt: number): number | null {
  if (v === 'off' || v === 'none' || v === 'false') return null;
  return port(v, what) ?? dflt;
}

/** on/off, true/false, yes/no (YAML booleans too). */
function flag(v: Json | undefined, what: string): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (v === true || v === 'on' || v === 'true' || v === 'yes') return true;
  if (v === false || v === 'off' || v === 'false' || v === 'no') return false;
  return fail(`${what}: '${String(v)}' is not on or off`);
}

function str(m: JsonMap | undefined, key: string): string | undefined {
  const v = m?.[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' && typeof v !== 'number') fail(`config: ${key} must be a string`);
  return String(v);
}

/** Agent.BootFiles keys, Vaquero-style names, and the BootFiles field each sets. */
const BOOT_FILE_KEYS = { BIOS: 'bios', UEFI: 'efiX64', UEFIArm64: 'efiArm64', HTTP: 'httpX64', HTTPArm64: 'httpArm64' } as const;

/**
 * A boot file as a firmware will ask for it: a TFTP name inside the TFTP folder, or for UEFI
 * HTTP boot a path on the asset server (`/boot/...`) or a URL of its own. No NUL, no
 * whitespace, no `..` segment (the server would refuse it; better said at start-up).
 */
function bootFile(key: string, v: Json, http: boolean): string {
  const what = `Agent.BootFiles.${key}`;
  if (typeof v !== 'string' || v === '') fail(`${what} must be a file name`);
  if (/[\s\0]/.test(v)) fail(`${what}: '${v}' has whitespace or NUL in it`);
  if (Buffer.byteLength(v) > 255) fail(`${what}: longer than DHCP option 67 holds (255 bytes)`);
  const url = /^https?:\/\/[^/]+(\/.*)?$/i.exec(v);
  const path = url ? (url[1] ?? '/') : v;
  if (http && !url && !v.startsWith('/')) fail(`${what}: '${v}' must be a path on the asset server (/boot/...) or an http(s) URL`);
  if (!http && /^[a-z][a-z0-9+.-]*:/i.test(v)) fail(`${what}: '${v}' must be a file name in the TFTP folder, not a URL`);
  if (path.split('/').includes('..')) fail(`${what}: '${v}' has a '..' segment`);
  if (!http && v.split('/').every((seg) => seg === '' || seg === '.')) fail(`${what}: '${v}' names no file`);
  return v;
}

function bootFiles(v: Json | undefined): BootFiles {
  const out: BootFiles = { ...DEFAULT_BOOT_FILES };
  if (v === undefined || v === null) return out;
  if (!isMap(v)) fail(`Agent.BootFiles must be a mapping of ${Object.keys(BOOT_FILE_KEYS).join(', ')}`);
  for (const [key, raw] of Object.entries(v)) {
    if (!Object.hasOwn(BOOT_FILE_KEYS, key)) fail(`Agent.BootFiles.${key}: not one of ${Object.keys(BOOT_FILE_KEYS).join(', ')}`);
    const field = BOOT_FILE_KEYS[key as keyof typeof BOOT_FILE_KEYS];
    out[field] = bootFile(key, raw, field === 'httpX64' || field === 'httpArm64');
  }
  return out;
}

function readFile(path: string): JsonMap {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new VaqueroError('VQ_ERR_IO', `cannot read config file ${path}: ${(e as Error).message}`);
  }
  const { docs, errors } = parseYamlDocuments(text);
  if (errors[0]) fail(`${path}:${errors[0].line}: ${errors[0].message}`);
  const v = docs[0]?.value ?? {};
  if (!isMap(v)) fail(`${path}: the configuration must be a mapping`);
  return v;
}

export function loadAgentConfig(input: ConfigInput, env: NodeJS.ProcessEnv = process.env): AgentConfig {
  const file = input.file ? readFile(input.file) : {};
  const local = isMap(file.LocalDir) ? file.LocalDir : undefined;
  const agent = isMap(file.Agent) ? file.Agent : undefined;
  const logCfg = isMap(file.Log) ? file.Log : undefined;
  const sotDir = input.sot ?? str(local, 'Dir') ?? fail('no source of truth: give --sot DIR (or LocalDir.Dir in the config file)');
  const siteId = input.site ?? env.VAQUERO_SITE_ID ?? str(agent, 'SiteID') ?? fail('no site: give --site ID (or VAQUERO_SITE_ID, or Agent.SiteID)');
  const adminText = input.admin ?? str(agent, 'Admin') ?? '127.0.0.1:24604';
  let admin: AgentConfig['admin'] = null;
  if (adminText !== 'off' && adminText !== 'none') {
    const m = /^(.*):(\d+)$/.exec(adminText);
    if (!m) fail(`admin: '${adminText}' must be HOST:PORT or off`);
    admin = { host: m[1]!.replace(/^\[|\]$/g, ''), port: port(m[2], 'admin')! };
  }
  const level = input.logLevel ?? str(logCfg, 'Level') ?? 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(level)) fail(`log level '${level}' is not one of fatal, error, warn, info, debug, trace, silent`);
  const pollIntervalMs = parseDuration(local?.PollInterval, 'LocalDir.PollInterval') ?? 2000;
  if (pollIntervalMs < 100) fail('LocalDir.PollInterval must be at least 100ms');
  const history = agent?.EventHistory ?? 1000;
  if (typeof history !== 'number' || !Number.isInteger(history) || history < 1) fail('Agent.EventHistory must be a positive integer');
  const files = input.files ?? str(agent, 'FilesDir');
  const tftpDir = input.tftpDir ?? str(agent, 'TFTPDir');
  return {
    sotDir,
    siteId,
    agentId: env.VAQUERO_AGENT_ID ?? str(agent, 'ID') ?? `${siteId}-agent`,
    pollIntervalMs,
    savePath: str(file, 'SavePath') ?? '/var/vaquero',
    bind: input.bind ?? str(agent, 'Bind') ?? '0.0.0.0',
    dhcpPort: optionalPort(input.dhcpPort ?? str(agent, 'DHCPPort'), 'dhcp port', 67),
    proxyPort: port(str(agent, 'ProxyPort'), 'proxy port') ?? 4011,
    tftpPort: optionalPort(input.tftpPort ?? str(agent, 'TFTPPort'), 'tftp port', 69),
    httpPort: port(input.httpPort ?? str(agent, 'AssetPort'), 'http port'),
    admin,
    filesDir: files,
    tftpDir,
    tftpSinglePort: flag(input.tftpSinglePort ?? agent?.TFTPSinglePort, 'tftp single port') ?? true,
    bootFiles: bootFiles(agent?.BootFiles),
    stallAfterMs: parseDuration(agent?.StallTimeout, 'Agent.StallTimeout') ?? detectionAfterMs('va-to-host') ?? 600_000,
    eventHistory: history,
    log: { level },
  };
}
