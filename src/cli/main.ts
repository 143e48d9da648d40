// `vaquero` command dispatch. Each subcommand lives in its own file and
// returns an exit code; nothing here throws to the user as a stack trace.
import { isVaqueroError } from '../errors.ts';

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

const stdio: Io = {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
};

type Command = (argv: string[], io: Io) => Promise<number>;

const commands: Record<string, { summary: string; load: () => Promise<Command> }> = {
  validate: { summary: 'check a source of truth', load: async () => (await import('./validate.ts')).run },
  preview: { summary: "render one host's config, iPXE script or template data", load: async () => (await import('./preview.ts')).run },
  agent: { summary: 'run a site agent (DHCP, TFTP, HTTP) on a local source of truth', load: async () => (await import('./agent.ts')).run },
  template: { summary: 'render a Go text/template (template render ...)', load: async () => (await import('./template.ts')).run },
};

const usage = `usage: vaquero <command> [options]

commands:
${Object.entries(commands).map(([n, c]) => `  ${n.padEnd(10)} ${c.summary}`).join('\n')}

Run 'vaquero <command> --help' for a command's options.
`;

export async function main(argv: string[], io: Io = stdio): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.err : io.out)(usage);
    return name === undefined ? 2 : 0;
  }
  const cmd = commands[name];
  if (!cmd) {
    io.err(`vaquero: unknown command '${name}'\n${usage}`);
    return 2;
  }
  try {
    return await (await cmd.load())(rest, io);
  } catch (e) {
    // Expected failures carry a code; anything else is a bug, still reported
    // as one line rather than a stack trace (VAQUERO_DEBUG=1 shows the stack).
    if (isVaqueroError(e)) io.err(`vaquero ${name}: ${e.message} (${e.code})\n`);
    else io.err(`vaquero ${name}: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    if (process.env.VAQUERO_DEBUG && e instanceof Error && e.stack) io.err(`${e.stack}\n`);
    return 2;
  }
}
