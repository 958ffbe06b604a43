#!/usr/bin/env node
import { runCli } from './run.js';

const code = await runCli(process.argv.slice(2));
// Exit explicitly once output is flushed: idle keep-alive HTTP connections would otherwise hold the process
// open for seconds after the work is done.
process.stdout.write('', () => process.exit(code));
