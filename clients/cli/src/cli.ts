#!/usr/bin/env node
/** Entry point of the `forgetrace` binary. */
import { processIo, run } from './program';

void run(process.argv.slice(2), processIo()).then((code) => {
  process.exitCode = code;
});
