#!/usr/bin/env node
// npm run test:e2e: the suites that need system parts (a real Fabric network, Chromium, an
// external MQTT broker). Each suite names the parts it needs; a missing part fails the run
// loudly, it is never skipped. Suites register here as their issues land.
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const node = process.execPath;
const mocha = join(__dirname, '..', 'node_modules', '.bin', 'mocha');
const has = (path, what) => () => (existsSync(path) ? undefined : `${what} is missing (${path}); install it (.ci/run does: apt-get install -y ${what})`);

/** { name, needs: [check(): string|undefined (problem)], command: [cmd, ...args] } */
const fabricBin = process.env.FABRIC_BIN || join(__dirname, '..', '.fabric', 'bin');
const built = (tool) => () => (existsSync(join(fabricBin, tool)) ? undefined : `${tool} is missing in ${fabricBin}; build it with network/install-binaries.sh ca (Go from the module proxy; .ci/run does this)`);
// The GS1 reference implementation of the EPCIS event hash (PyPI), in a git-ignored venv under .data
// (not .venv-epcis/: `eslint .` would lint the JavaScript some Python packages ship).
const epcisPython = process.env.FT_EPCIS_PYTHON || join(__dirname, '..', '.data', 'venv-epcis', 'bin', 'python');
const pypi = (pkg, version) => () => (spawnSync(epcisPython, ['-c', `import importlib.metadata as m; assert m.version('${pkg}') == '${version}'`]).status === 0 ? undefined : `${pkg} ${version} is missing in ${epcisPython}; install it (.ci/run does: python3 -m venv .data/venv-epcis && .data/venv-epcis/bin/pip install ${pkg}==${version}; Debian needs apt-get install -y python3-venv)`);

const suites = [
  {
    name: 'identities from a real Fabric CA (fabric-ca-server v1.5.21)',
    needs: [built('fabric-ca-server')],
    command: [node, mocha, '--no-config', '--timeout', '60000', 'gateway/dist/**/*.e2e.js'],
  },
  {
    name: 'twin telemetry from an external MQTT broker (Mosquitto 2.x)',
    needs: [has('/usr/sbin/mosquitto', 'mosquitto')],
    command: [node, mocha, '--no-config', '--timeout', '60000', 'gateway/dist/twin/**/*.mqtttest.js'],
  },
  {
    name: 'query store on PostgreSQL 15',
    needs: [has('/usr/lib/postgresql/15/bin/initdb', 'postgresql-15')],
    command: [node, '--disable-warning=ExperimentalWarning', mocha, '--no-config', '--timeout', '120000', 'gateway/dist/indexer/**/*.pgtest.js'],
  },
  {
    name: 'web app in a real browser (Chromium via playwright-core)',
    needs: [has('/usr/bin/chromium', 'chromium')],
    command: [node, '--disable-warning=ExperimentalWarning', mocha, '--no-config', '--timeout', '120000', 'clients/web/test/**/*.e2etest.cjs'],
  },
  {
    name: 'EPCIS eventIDs against the GS1 reference implementation (PyPI epcis-event-hash-generator 1.9.3)',
    needs: [pypi('epcis-event-hash-generator', '1.9.3')],
    command: [node, '--disable-warning=ExperimentalWarning', mocha, '--no-config', '--timeout', '120000', 'gateway/dist/epcis/**/*.reftest.js'],
  },
];

const root = join(__dirname, '..');
let failed = 0;
console.log('test:e2e: the Fabric network suite is blocked (see network/README.md); running the suites below.');
for (const suite of suites) {
  console.log(`test:e2e: ${suite.name}`);
  const problems = suite.needs.map((check) => check()).filter(Boolean);
  if (problems.length > 0) {
    console.error(`test:e2e: ${suite.name} cannot run: ${problems.join('; ')}`);
    failed++;
    continue;
  }
  const r = spawnSync(suite.command[0], suite.command.slice(1), { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);
