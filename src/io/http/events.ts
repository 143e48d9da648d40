// Events the HTTP asset server reports to the control plane: one per protocol
// step a host takes over HTTP (DESIGN.md), plus refused and failed requests.

/** Which handler a request reached; also the `route` label of the metrics. */
export type RouteName = 'ipxe' | 'config' | 'checkpoint' | 'files' | 'boot' | 'health' | 'metrics' | 'other';

interface Base {
  /** Milliseconds since the epoch, from the injected clock. */
  at: number;
  /** The client's address (IPv4-mapped IPv6 written as plain IPv4). */
  remote: string;
}

export type HttpEvent =
  | (Base & { type: 'http.ipxe-discovery' })
  | (Base & { type: 'http.ipxe'; mac: string; boot: string; uefi: boolean; uuid?: string; hostname?: string; domain?: string })
  | (Base & { type: 'http.config'; mac: string; boot: string; assetType: string })
  | (Base & { type: 'boot.checkpoint'; mac: string; boot?: string })
  /**
   * A /files response (from disk or the CDN) or a /boot one (a boot ROM from the TFTP
   * folders), any status; `complete` is false when the client went away first.
   */
  | (Base & { type: 'http.file'; path: string; via: 'disk' | 'cdn' | 'boot'; status: number; bytes: number; range?: string; complete: boolean })
  | (Base & { type: 'http.unknown-mac'; route: RouteName; mac: string })
  /** A known host, but nothing to serve it: no such boot stage, a BMC MAC, no unattended config. */
  | (Base & { type: 'http.not-found'; route: RouteName; mac: string; reason: string })
  | (Base & { type: 'http.render-error'; route: RouteName; mac: string; boot?: string; reason: string })
  /** No model loaded yet. */
  | (Base & { type: 'http.unavailable'; route: RouteName; reason: string })
  | (Base & { type: 'http.bad-request'; route: RouteName; reason: string })
  /** A /files path refused before touching the disk or the CDN (`..`, NUL, escaping symlink...). */
  | (Base & { type: 'http.refused'; path: string; reason: string })
  | (Base & { type: 'http.proxy-error'; path: string; reason: string })
  /** A handler threw or a file stream failed: a bug or a disk error, answered with 500 or a cut connection. */
  | (Base & { type: 'http.handler-error'; route: RouteName; reason: string })
  /** The HTTP parser rejected the request (malformed, too large, timed out). */
  | (Base & { type: 'http.client-error'; reason: string });

export type HttpEventType = HttpEvent['type'];
