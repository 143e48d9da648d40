// Child process for boot tests: a plain HTTP server run inside the server
// namespace (node cannot bind in another namespace itself). argv[2] is a JSON
// BootHttpConfig; stdout carries JSON lines: {listening}, then one {request}
// per request served, so the test sees who fetched what and from where.
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';

export interface BootHttpConfig {
  host: string;
  /** 0 picks a free port, reported in {listening}. */
  port: number;
  /** URL path -> file on disk (kernel, initramfs). */
  files: Record<string, string>;
  /** URL path -> body; `{{base}}` becomes http://<host>:<port>. */
  texts: Record<string, string>;
}

export interface BootHttpRequest {
  method: string;
  url: string;
  remote: string;
  status: number;
}

const cfg = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8')) as BootHttpConfig;
const out = (o: unknown): void => {
  process.stdout.write(`${JSON.stringify(o)}\n`);
};
let base = '';

const server = createServer((req, res) => {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  const file = cfg.files[path];
  const text = cfg.texts[path];
  let status = 200;
  if (file !== undefined) {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': statSync(file).size });
    createReadStream(file)
      .on('error', (err) => res.destroy(err))
      .pipe(res);
  } else if (text !== undefined) {
    const body = Buffer.from(text.replaceAll('{{base}}', base));
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length });
    res.end(body);
  } else {
    status = 404;
    res.writeHead(404).end();
  }
  out({ request: { method: req.method ?? '', url: req.url ?? '', remote: req.socket.remoteAddress ?? '', status } satisfies BootHttpRequest });
});
server.on('error', (err) => {
  out({ error: err.message });
  process.exit(1);
});
server.listen(cfg.port, cfg.host, () => {
  const addr = server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : cfg.port;
  base = `http://${cfg.host}:${port}`;
  out({ listening: { host: cfg.host, port, base } });
});
