// `vaquero template render`: renders one template file with Go text/template
// semantics, with the flags, output and exit codes of
// shared/tools/gotemplate-oracle (0 rendered, 1 template/data error, 2 usage).
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { TemplateExecError, TemplateParseError, TemplateSet, type MissingKey } from '../gotemplate/index.ts';
import type { Io } from './main.ts';

const usage = `usage: vaquero template render --data DATA.json [--snippets DIR] [--missingkey default|zero|error]
                               [--func NAME=VALUE]... TEMPLATE

Renders TEMPLATE with Go text/template semantics. Every file in --snippets is
parsed first (in name order, each under its file name); each --func adds a
function of no arguments returning VALUE. Exit 0 with the output on stdout,
1 with the error on stderr, 2 on bad usage.
`;

export interface OracleLikeInput {
  /** Template file base name: the name it is parsed and executed under. */
  name: string;
  text: string;
  /** Snippet files as [file name, text]; parsed first, in Go's sorted name order. */
  snippets?: [string, string][];
  data: unknown;
  funcs?: Record<string, string>;
  missingKey?: MissingKey;
}

/**
 * Renders exactly as gotemplate-oracle does: snippets parsed into the set
 * first, then the template, then executed. Throws the engine's errors; an
 * exec error carries the partial output Go would already have written.
 */
export function renderLikeOracle(input: OracleLikeInput): string {
  const funcs = Object.fromEntries(Object.entries(input.funcs ?? {}).map(([k, v]) => [k, () => v]));
  const set = new TemplateSet({ funcs, missingKey: input.missingKey ?? 'default' });
  const snippets = [...(input.snippets ?? [])].sort(([a], [b]) => (Buffer.compare(Buffer.from(a), Buffer.from(b))));
  for (const [n, text] of snippets) set.parse(n, text);
  set.parse(input.name, input.text);
  return set.execute(input.name, input.data);
}

function usageError(io: Io, msg: string): number {
  io.err(`vaquero template render: ${msg}\n${usage}`);
  return 2;
}

export async function run(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === '--help' || sub === '-h' || sub === 'help') {
    io.out(usage);
    return 0;
  }
  if (sub !== 'render') return usageError(io, sub === undefined ? 'missing subcommand' : `unknown subcommand '${sub}'`);
  let values: { data?: string; snippets?: string; missingkey?: string; func?: string[]; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: rest,
      options: {
        data: { type: 'string' },
        snippets: { type: 'string' },
        missingkey: { type: 'string' },
        func: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
      strict: true,
    }));
  } catch (e) {
    return usageError(io, e instanceof Error ? e.message : String(e));
  }
  if (values.help) {
    io.out(usage);
    return 0;
  }
  if (positionals.length !== 1 || !values.data) return usageError(io, 'want --data DATA.json and one TEMPLATE');
  const missingKey = values.missingkey ?? 'default';
  if (missingKey !== 'default' && missingKey !== 'zero' && missingKey !== 'error') return usageError(io, `bad --missingkey ${JSON.stringify(missingKey)}`);
  const funcs: Record<string, string> = {};
  for (const f of values.func ?? []) {
    const eq = f.indexOf('=');
    if (eq < 0) return usageError(io, `--func: want Name=value, got ${JSON.stringify(f)}`);
    funcs[f.slice(0, eq)] = f.slice(eq + 1);
  }
  const templatePath = positionals[0]!;

  let output = '';
  try {
    const raw = await readFile(values.data, 'utf8');
    let data: unknown;
    try {
      data = JSON.parse(raw);
    } catch (e) {
      throw new Error(`data: ${e instanceof Error ? e.message : String(e)}`);
    }
    const snippets: [string, string][] = [];
    if (values.snippets) {
      const entries = await readdir(values.snippets, { withFileTypes: true });
      for (const e of entries) {
        if (!e.isDirectory()) snippets.push([e.name, await readFile(join(values.snippets, e.name), 'utf8')]);
      }
    }
    const text = await readFile(templatePath, 'utf8');
    output = renderLikeOracle({ name: basename(templatePath), text, snippets, data, funcs, missingKey });
  } catch (e) {
    if (e instanceof TemplateExecError) io.out(e.partial);
    if (e instanceof TemplateParseError || e instanceof TemplateExecError || e instanceof Error) {
      io.err(`${e.message}\n`);
      return 1;
    }
    io.err(`${String(e)}\n`);
    return 1;
  }
  io.out(output);
  return 0;
}
