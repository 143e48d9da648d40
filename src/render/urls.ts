// The URLs a booting host is given, all on the site agent's asset server
// (DESIGN.md "HTTP asset server"): its unattended config, the checkpoint it
// calls when provisioning succeeded, and the agent's base URL itself.
import type { Agent } from '../model/types.ts';

export function agentURL(agent: Agent | undefined, addrOverride?: string): string {
  const a = agent?.assetServer ?? { scheme: 'http', addr: '127.0.0.1', port: 24602 };
  const addr = addrOverride ?? a.addr;
  return `${a.scheme}://${addr.includes(':') ? `[${addr}]` : addr}:${a.port}`;
}

export function configURL(base: string, mac: string, bootId: string): string {
  return `${base}/config/${mac}?boot=${encodeURIComponent(bootId)}`;
}

export function checkpointURL(base: string, mac: string, bootId: string): string {
  return `${base}/checkpoint/${mac}?boot=${encodeURIComponent(bootId)}`;
}
