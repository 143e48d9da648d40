// The agent's own IPv4 addresses and the subnets they sit in, and the choice
// of which one a host can reach (a multi-homed agent answers from the
// interface in the host's subnet, or the one facing the relay).

import { networkInterfaces } from 'node:os';
import { cidrContains, isIPv4, parseCidr } from './options.ts';

export interface LocalAddress {
  address: string;
  /** e.g. `10.0.0.1/24`. */
  cidr: string;
}

export function localIPv4Addresses(): LocalAddress[] {
  const out: LocalAddress[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.family === 'IPv4' && !a.internal && a.cidr) out.push({ address: a.address, cidr: a.cidr });
    }
  }
  return out;
}

/**
 * The local address for a host in `subnetCidr`: the one inside that subnet; for a
 * relayed request (giaddr) with no local interface in the subnet, the one whose
 * subnet holds the relay, else the first address (the relay reaches us by routing).
 */
export function pickServerAddress(locals: readonly LocalAddress[], subnetCidr: string, giaddr?: string): string | undefined {
  const subnet = parseCidr(subnetCidr);
  const inSubnet = subnet && locals.find((l) => cidrContains(subnet, l.address));
  if (inSubnet) return inSubnet.address;
  if (giaddr === undefined || !isIPv4(giaddr)) return undefined;
  const facing = locals.find((l) => {
    const c = parseCidr(l.cidr);
    return c !== undefined && cidrContains(c, giaddr);
  });
  return (facing ?? locals[0])?.address;
}
