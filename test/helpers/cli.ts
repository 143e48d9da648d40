// Runs the vaquero CLI in-process (fast) or as a real child process (for exit
// codes and what reaches the terminal), capturing stdout and stderr.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { main } from '../../src/cli/main.ts';
import { REPO } from './sot.ts';

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

export async function cli(...argv: string[]): Promise<CliResult> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => void (out += s), err: (s) => void (err += s) });
  return { code, out, err };
}

export function cliProcess(...argv: string[]): CliResult {
  const r = spawnSync(process.execPath, [join(REPO, 'bin', 'vaquero.js'), ...argv], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}
