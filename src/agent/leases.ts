// What the DHCP service needs from the model: a reservation per interface
// MAC (its modelled address and its subnet's options), and the reverse map
// from address to MAC that ties TFTP and HTTP requests to a booting host.
import type { HostLease } from '../io/dhcp/policy.ts';
import type { Site } from '../model/types.ts';

/** Seconds a reservation is leased for; hosts renew at half (RFC 2131 4.4.5). */
export const LEASE_SECONDS = 86_400;

export interface SiteLeases {
  lookup(mac: string): HostLease | undefined;
  macOf(ipv4: string): string | undefined;
}

export function siteLeases(site: Site): SiteLeases {
  const byMac = new Map<string, HostLease>();
  const byIp = new Map<string, string>();
  for (const [mac, { host, iface }] of site.byMac) {
    const subnet = site.env.subnets.get(iface.subnet);
    if (!subnet || iface.ipv4 === undefined) continue;
    const hostname = typeof iface.raw.hostname === 'string' ? iface.raw.hostname : host.name;
    const domain = typeof subnet.raw.domain === 'string' ? subnet.raw.domain : typeof subnet.raw.domain_name === 'string' ? subnet.raw.domain_name : undefined;
    byMac.set(mac, {
      ipv4: iface.ipv4,
      hostname,
      ignoreDhcp: iface.ignoreDhcp,
      leaseSeconds: LEASE_SECONDS,
      subnet: {
        cidr: subnet.cidr,
        ...(subnet.gateway !== undefined ? { gateway: subnet.gateway } : {}),
        dns: subnet.dns,
        ntp: subnet.ntp,
        ...(domain !== undefined ? { domain } : {}),
        dhcpOptions: subnet.dhcpOptions.map((o) => ({ code: o.option, type: o.type, value: o.value })),
      },
    });
    byIp.set(iface.ipv4, mac);
  }
  return { lookup: (mac) => byMac.get(mac), macOf: (ip) => byIp.get(ip) };
}
