// The asset server's metric families, registered once per registry (a
// restarted server keeps counting into the same totals).
import type { Registry } from '../../metrics/registry.ts';

export type HttpErrorKind = 'handler' | 'render' | 'proxy' | 'stream' | 'client';

export function httpMetrics(r: Registry) {
  return {
    requests: r.counter('vaquero_http_requests_total', 'HTTP asset server responses, by route and status code.', ['route', 'status']),
    aborted: r.counter('vaquero_http_aborted_total', 'HTTP responses the client closed before they were complete, by route.', ['route']),
    bytes: r.counter('vaquero_http_response_bytes_total', 'HTTP response body bytes sent, by route.', ['route']),
    errors: r.counter('vaquero_http_errors_total', 'HTTP asset server failures: handler exceptions, render errors, CDN failures, broken file streams, malformed requests.', ['kind']),
    refused: r.counter('vaquero_http_refused_total', 'Requests for /files paths refused before any file was read, by reason.', ['reason']),
    events: r.counter('vaquero_http_events_total', 'Events the HTTP asset server reported, by type.', ['type']),
    openStreams: r.gauge('vaquero_http_open_streams', 'File and CDN streams currently open for HTTP responses.'),
    duration: r.histogram('vaquero_http_request_duration_seconds', 'Time from request to the end of the response, by route.', ['route']),
  };
}

export type HttpMetrics = ReturnType<typeof httpMetrics>;
