// The agent's protocol metrics for /metrics (Prometheus), counted from the
// events its services report: DHCP packets by message type and drops by
// reason, TFTP transfers by outcome and bytes, boots by stage and outcome.
// HTTP counts its own requests (src/io/http/http-metrics.ts).
import type { DhcpEvent } from '../io/dhcp/events.ts';
import type { HttpEvent } from '../io/http/events.ts';
import type { TftpEvent } from '../io/tftp/events.ts';
import type { CounterChild, Registry } from '../metrics/registry.ts';
import type { BootEvent } from '../actors/boot.ts';

export type CountedEvent = DhcpEvent | TftpEvent | HttpEvent | BootEvent;

export function agentMetrics(registry: Registry): (e: CountedEvent) => void {
  const dhcp = registry.counter('vaquero_dhcp_events_total', 'DHCP packets and decisions by event (dhcp.discover, dhcp.offer, dhcp.unknown-mac, dhcp.malformed, ...).', ['type']);
  const tftp = registry.counter('vaquero_tftp_transfers_total', 'TFTP transfers by outcome (completed, aborted, failed, refused) and malformed packets dropped.', ['outcome']);
  const tftpBytes = registry.counter('vaquero_tftp_bytes_total', 'Bytes sent by completed and aborted TFTP transfers.');
  const stages = registry.counter('vaquero_boot_stages_total', 'Boot stages reached by hosts (dhcp, tftp, ipxe, kernel, initrd, config, checkpoint).', ['stage']);
  const boots = registry.counter('vaquero_boots_total', 'Boots finished, by outcome (done, stalled).', ['outcome']);
  // One child per DHCP event type, resolved once: DHCP counts two events per packet.
  const dhcpByType = new Map<string, CounterChild>();
  return (e) => {
    switch (e.type) {
      case 'transfer-completed':
        tftp.inc({ outcome: 'completed' });
        tftpBytes.inc(undefined, e.bytes);
        return;
      case 'transfer-aborted':
        tftp.inc({ outcome: 'aborted' });
        tftpBytes.inc(undefined, e.bytes);
        return;
      case 'transfer-failed':
        tftp.inc({ outcome: 'failed' });
        return;
      case 'request-refused':
        tftp.inc({ outcome: 'refused' });
        return;
      case 'malformed-dropped':
        tftp.inc({ outcome: 'malformed' });
        return;
      case 'boot.stage':
        stages.inc({ stage: e.stage });
        return;
      case 'boot.done':
        boots.inc({ outcome: 'done' });
        return;
      case 'boot.stalled':
        boots.inc({ outcome: 'stalled' });
        return;
      default:
        if (e.type.startsWith('dhcp.')) {
          let c = dhcpByType.get(e.type);
          if (c === undefined) dhcpByType.set(e.type, (c = dhcp.labels({ type: e.type })));
          c.inc();
        }
    }
  };
}
