// The agent address a host reaches: the local address its request arrived on,
// so a multi-homed agent hands each host URLs on the network it came from.
import { plainAddress } from '../io/http/address.ts';

/**
 * `undefined` means "use the model's asset_server.addr": the socket gave no
 * address, a wildcard one, or an IPv6 link-local address whose zone (`%eth0`)
 * has no place in a URL a host could use.
 */
export function agentAddrFor(localAddress: string | undefined): string | undefined {
  const a = plainAddress(localAddress);
  if (a === '' || a === '0.0.0.0' || a === '::' || a.includes('%')) return undefined;
  return a;
}
