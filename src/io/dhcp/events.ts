// Events the DHCP service reports to the control plane (DESIGN.md: every
// protocol step a host takes becomes an event).

export type DhcpEventType =
  | 'dhcp.discover'
  | 'dhcp.request'
  | 'dhcp.inform'
  | 'dhcp.offer'
  | 'dhcp.ack'
  | 'dhcp.nak'
  | 'dhcp.release'
  | 'dhcp.decline'
  | 'dhcp.unknown-mac'
  | 'dhcp.ignored'
  | 'dhcp.malformed'
  | 'dhcp.rogue-server';

export interface DhcpEvent {
  type: DhcpEventType;
  /** Milliseconds since the epoch, from the injected clock. */
  at: number;
  mac?: string;
  xid?: number;
  ipv4?: string;
  bootFile?: string;
  arch?: number;
  relay?: string;
  /** Why: a NAK's cause, a malformed packet's error, a rogue server's message type. */
  reason?: string;
  /** Sender of the packet, for malformed packets and rogue servers. */
  from?: string;
  serverId?: string;
}
