// Test fixture: runs the TFTP server in its own process (so a test can start it
// inside a network namespace). Prints "LISTENING <port>", then one JSON event per
// line; on SIGTERM closes, prints "STATS <json>" and exits 0.
// Usage: serve.ts <baseDir> <host> <port> <timeoutMs> <retries>

import { createTftpServer } from '../../src/io/tftp/server.ts';

const [baseDir, host, port, timeoutMs, retries] = process.argv.slice(2);
if (baseDir === undefined || host === undefined) {
  process.stderr.write('usage: serve.ts <baseDir> <host> <port> <timeoutMs> <retries>\n');
  process.exit(2);
}
const server = createTftpServer({
  baseDir,
  host,
  port: Number(port ?? 69),
  timeoutMs: Number(timeoutMs ?? 1000),
  retries: Number(retries ?? 5),
  onEvent: (e) => process.stdout.write(`EVENT ${JSON.stringify(e)}\n`),
});
const addr = await server.listen();
process.stdout.write(`LISTENING ${addr.port}\n`);
process.once('SIGTERM', () => {
  server.close().then(
    () => {
      process.stdout.write(`STATS ${JSON.stringify(server.stats())}\n`);
      process.exit(0);
    },
    (err: unknown) => {
      process.stderr.write(`close failed: ${String(err)}\n`);
      process.exit(1);
    },
  );
});
