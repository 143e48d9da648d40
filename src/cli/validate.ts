// `vaquero validate --sot DIR [--strict] [--json]`: exit 0 valid (warnings
// allowed unless --strict), 1 invalid (problems on stdout), 2 usage or
// unreadable input.
import { formatProblem } from '../model/problems.ts';
import { validateSotParallel } from '../validate/index.ts';
import { parse } from './args.ts';
import type { Io } from './main.ts';

const usage = `usage: vaquero validate --sot DIR [--strict] [--json]

Loads a Vaquero source of truth and checks it: references, IDs, MACs,
subnets and addresses, and every template rendered for every host that uses
it, with typed assets checked as ignition, cloud-config or kickstart.
One line per problem: path:line: level: message.

  --sot DIR   the source of truth folder
  --strict    warnings fail validation too
  --json      print {"valid", "errors", "warnings", "problems": [...]} instead

exit: 0 valid, 1 invalid, 2 usage or unreadable input
`;

export async function run(argv: string[], io: Io): Promise<number> {
  const { values } = parse(argv, { sot: { type: 'string' }, strict: { type: 'boolean' }, json: { type: 'boolean' } });
  if (values.help) {
    io.out(usage);
    return 0;
  }
  if (!values.sot) {
    io.err(`vaquero validate: --sot is required\n${usage}`);
    return 2;
  }
  const { problems, valid } = await validateSotParallel(values.sot, { strict: values.strict ?? false });
  const list = problems.sorted();
  if (values.json) {
    io.out(JSON.stringify({ valid, errors: problems.errorCount, warnings: problems.warningCount, problems: list }, null, 2) + '\n');
  } else {
    for (const p of list) io.out(formatProblem(p) + '\n');
    io.err(`${valid ? 'valid' : 'invalid'}: ${problems.errorCount} error(s), ${problems.warningCount} warning(s)\n`);
  }
  return valid ? 0 : 1;
}
