// Shared argument parsing for subcommands: node:util parseArgs with usage
// errors turned into exit code 2 and a message, never a stack trace.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { VaqueroError } from '../errors.ts';

export function parse<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals, strict: true });
  } catch (e) {
    throw new VaqueroError('VQ_ERR_USAGE', e instanceof Error ? e.message : String(e));
  }
}
