// The typed Vaquero model: what the SoT loader produces and everything else
// reads. Objects keep the plain data they were loaded from (`raw`, with
// Vaquero's defaults applied), which is what templates see, plus typed fields
// for the code, and where they came from (`src`) for messages.

export type Json = null | boolean | number | string | Json[] | JsonMap;
export interface JsonMap {
  [key: string]: Json;
}

export interface Source {
  /** Path relative to the SoT root. */
  file: string;
  line: number;
}

export const ASSET_TYPES = ['cloud-config', 'ignition', 'kickstart', 'untyped'] as const;
export type AssetType = (typeof ASSET_TYPES)[number];

export interface Asset {
  type: AssetType;
  /** File name inside assets/<type>/ (or snippets/), as boots refer to it. */
  name: string;
  file: string;
  text: string;
}

export interface AssetFolder {
  files: Map<string, Asset>;
  /** Always parsed alongside every asset of the type, in name order. */
  snippets: Asset[];
}

export interface CmdlineParam {
  key: string;
  value: Json;
  line: number;
}

export interface OperatingSystem {
  id: string;
  src: Source;
  raw: JsonMap;
  kernel: string;
  initrd: string[];
  cmdline: CmdlineParam[];
}

export interface Boot {
  id: string;
  src: Source;
  raw: JsonMap;
  operatingSystem: string;
  unattended?: { type: string; use: string };
}

export interface WorkflowDeps {
  max_concurrent: number;
  min_standing: number;
  block_deps: string[];
  validate_on: string[];
  max_fail: number;
}

export interface Workflow {
  id: string;
  src: Source;
  raw: JsonMap;
  stages: { boot: string; line: number }[];
  deps: WorkflowDeps;
}

/** Assets, operating systems, boots and workflows: what a SoT (or an advanced SoT's config folder) shares among sites. */
export interface Library {
  /** Folder the library was read from (absolute). */
  dir: string;
  assets: Map<AssetType, AssetFolder>;
  os: Map<string, OperatingSystem>;
  boots: Map<string, Boot>;
  workflows: Map<string, Workflow>;
}

export interface DhcpOption {
  option: number;
  type: string;
  value: Json;
}

export interface Subnet {
  id: string;
  line: number;
  raw: JsonMap;
  cidr: string;
  gateway?: string;
  dns: string[];
  ntp: string[];
  vlan: number;
  dhcpOptions: DhcpOption[];
}

export interface AssetServer {
  addr: string;
  port: number;
  base_dir: string;
  scheme: string;
  cdn_addr?: string;
  cdn_port?: number;
  cdn_scheme: string;
}

export interface Agent {
  line: number;
  raw: JsonMap;
  assetServer: AssetServer;
  dhcpMode: 'server' | 'proxy';
  savePath: string;
}

export interface SotConfig {
  type: 'local' | 'git';
  url: string;
  ref?: string;
  src: Source;
  /** What templates see as `.config` (the token is never exposed). */
  raw: JsonMap;
}

export interface Env {
  id: string;
  src: Source;
  raw: JsonMap;
  subnets: Map<string, Subnet>;
  agents: Agent[];
  config?: SotConfig;
}

export interface Interface {
  line: number;
  raw: JsonMap;
  type: 'physical' | 'bmc';
  /** Normalised lower-case `aa:bb:...`; empty when the model's value is invalid. */
  mac: string;
  subnet: string;
  ipv4?: string;
  ignoreDhcp: boolean;
}

export interface Host {
  name: string;
  src: Source;
  raw: JsonMap;
  interfaces: Interface[];
  workflow: string;
  neverProvision: boolean;
  /** The library this host's workflow, boots, OS and assets come from. */
  library: Library;
  config?: SotConfig;
}

export interface Site {
  id: string;
  /** Folder name under sites/. */
  dir: string;
  env: Env;
  hosts: Host[];
  /** Host by normalised MAC, over every interface. */
  byMac: Map<string, { host: Host; iface: Interface }>;
}

export interface Sot {
  root: string;
  library: Library;
  sites: Map<string, Site>;
}
