// The agent's admin endpoint (127.0.0.1:24604 by default, never the hosts'
// network): liveness, readiness, Prometheus metrics, the recent event history
// and the boots in progress. Read-only, JSON.
import { createServer, type Server } from 'node:http';
import type { Registry } from '../metrics/registry.ts';
import type { EventLog } from './event-log.ts';

export interface AdminStatus {
  ready: boolean;
  reason?: string;
  model?: { version: string; since: number; stale: boolean; site: string };
  services: Record<string, boolean>;
  /**
   * Per service, the model's settings it reads and the values its running incarnation
   * started with; `heldBack` when those are not the model's (it could not start with them).
   */
  settings?: Record<string, { running: Record<string, unknown>; heldBack: boolean }>;
  boots: { mac: string; stage: string | undefined }[];
}

export interface AdminOptions {
  host: string;
  port: number;
  registry: Registry;
  events: EventLog;
  status(): AdminStatus;
}

export function createAdminServer(o: AdminOptions): { listen(): Promise<{ address: string; port: number }>; close(): Promise<void>; server: Server } {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://admin');
    const json = (code: number, body: unknown): void => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body) + '\n');
    };
    if (req.method !== 'GET') return json(405, { error: 'method not allowed' });
    switch (url.pathname) {
      case '/health':
        return json(200, { status: 'ok' });
      case '/ready': {
        const s = o.status();
        return json(s.ready ? 200 : 503, s);
      }
      case '/status':
        return json(200, o.status());
      case '/boots':
        return json(200, o.status().boots);
      case '/events': {
        const since = Number(url.searchParams.get('since') ?? 0);
        const type = url.searchParams.get('type');
        const list = o.events.since(Number.isFinite(since) ? since : 0).filter((e) => !type || e.type === type || e.type.startsWith(`${type}.`));
        return json(200, { last: o.events.lastSeq, events: list });
      }
      case '/metrics':
        res.writeHead(200, { 'content-type': o.registry.contentType });
        return res.end(o.registry.metrics());
      default:
        return json(404, { error: 'not found' });
    }
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  return {
    server,
    listen: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(o.port, o.host, () => {
          server.off('error', reject);
          const a = server.address();
          resolve(typeof a === 'object' && a ? { address: a.address, port: a.port } : { address: o.host, port: o.port });
        });
      }),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
