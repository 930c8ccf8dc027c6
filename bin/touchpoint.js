#!/usr/bin/env node
// The CLI entry: TypeScript sources run through tsx, so there is no build step to go stale.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
