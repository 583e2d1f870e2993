#!/usr/bin/env node
// npm run test:e2e: the suites that need system parts (a real Fabric network, Chromium, an
// external MQTT broker). Each suite names the parts it needs; a missing part fails the run
// loudly, it is never skipped. Suites register here as their issues land.
'use strict';
const { spawnSync } = require('node:child_process');

const { join } = require('node:path');

/** { name, needs: [{ part, check(): string|undefined (problem) }], command: [cmd, ...args] } */
const suites = [];

const root = join(__dirname, '..');
let failed = 0;
if (suites.length === 0) {
  console.log('test:e2e: no end-to-end suites are registered yet (the Fabric network suite comes with issue 3).');
}
for (const suite of suites) {
  const problems = suite.needs.map((n) => n.check()).filter(Boolean);
  if (problems.length > 0) {
    console.error(`test:e2e: ${suite.name} cannot run: ${problems.join('; ')}`);
    failed++;
    continue;
  }
  const r = spawnSync(suite.command[0], suite.command.slice(1), { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);
