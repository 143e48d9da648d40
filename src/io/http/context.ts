// What the route handlers share with the server: reporting (events, metrics,
// log) and writing a small text response.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { HttpEvent } from './events.ts';
import type { HttpErrorKind, HttpMetrics } from './http-metrics.ts';

/** An event as a handler gives it; the server adds `at` and `remote`. */
export type EventBody = HttpEvent extends infer E ? (E extends HttpEvent ? Omit<E, 'at' | 'remote'> : never) : never;

export interface HandlerContext {
  log: Logger;
  metrics: HttpMetrics;
  emit(from: IncomingMessage | Socket, e: EventBody): void;
  fail(kind: HttpErrorKind): void;
  /** A complete text response with its length (HEAD gets the headers only). */
  text(res: ServerResponse, status: number, body: string, headers?: Record<string, string>): void;
  /** Tells the server how many body bytes a streamed response sent, read when it closes. */
  countBody(res: ServerResponse, bytes: () => number): void;
}
