// The contract between the asset server (HTTP in, bytes out) and the policy
// that knows the model (src/agent/asset-routes.ts): typed requests in, typed
// outcomes out. The server turns outcomes into statuses, events and metrics.

export interface HostRequest {
  /** Normalised `aa:bb:cc:dd:ee:ff`. */
  mac: string;
  /** `?boot=`: the workflow stage asked for; absent means the host's current stage. */
  boot?: string;
  /** Local address the request arrived on (`req.socket.localAddress`), as the host reaches the agent. */
  localAddress?: string;
  remoteAddress: string;
  /** What iPXE sends with the discovery chain (`uuid`, `domain`, `hostname`); absent when empty. */
  params: { uuid?: string; domain?: string; hostname?: string };
}

export type RouteOutcome =
  | {
      ok: true;
      contentType: string;
      body: string;
      /** The boot (workflow stage) served. */
      boot: string;
      /** ipxe: whether the script was rendered for UEFI iPXE. */
      uefi?: boolean;
      /** config: the unattended config's asset type. */
      assetType?: string;
    }
  | {
      ok: false;
      /** unknown-mac: 404, silence-like; not-found: 404; render-error: 500; unavailable (no model yet): 503. */
      kind: 'unknown-mac' | 'not-found' | 'render-error' | 'unavailable';
      message: string;
      boot?: string;
    };

export interface AssetRoutes {
  /** The script every host gets before the agent knows its MAC. */
  discovery(): string;
  ipxe(req: HostRequest): RouteOutcome | Promise<RouteOutcome>;
  config(req: HostRequest): RouteOutcome | Promise<RouteOutcome>;
  /** Answers whether the MAC is a known host; the server records the checkpoint event. */
  checkpoint(req: HostRequest): RouteOutcome | Promise<RouteOutcome>;
}
