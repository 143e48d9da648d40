#!/usr/bin/env node
// The `vaquero` command: loads the TypeScript sources through tsx's loader so
// there is one code path in development, tests and production (docs/decisions.md).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
