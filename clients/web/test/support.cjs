// What the web app's browser suites share: the demo consortium with the built app, a headless
// Chromium, the consortium's CA pins, and how a page records the problems the browser reports.
/* global document */
'use strict';
const { X509Certificate, createHash } = require('node:crypto');
const { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { chromium } = require('playwright-core');

const CHROMIUM = process.env.FT_CHROMIUM || '/usr/bin/chromium';
const ARTIFACTS = join(__dirname, '..', 'test-artifacts');
const WEB_DIST = join(__dirname, '..', 'dist', 'index.html');
/** Every organisation whose CA the channel configuration lists (members and the orderer). */
const CONSORTIUM = ['Org1MSP', 'Org2MSP', 'Org3MSP', 'Org4MSP', 'OrdererMSP'];

/**
 * Start the demo consortium on free ports (its gateways serve the built app) and launch Chromium.
 * Fails loudly when Chromium or the built app is missing. Answers { dir, demo, browser }.
 */
async function startWebDemo(prefix) {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing; install it (apt-get install -y chromium)`);
  if (!existsSync(WEB_DIST)) throw new Error(`${WEB_DIST} is missing; build the app first (npm run build:web)`);
  process.env.FT_LOG_LEVEL ??= 'silent';
  mkdirSync(ARTIFACTS, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const { startDemo } = require('@forgetrace/gateway/dist/demo/start-demo');
  const demo = await startDemo(dir, 0);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  return { dir, demo, browser };
}

/** Stop what startWebDemo started (any part may be missing when it failed half way). */
async function stopWebDemo(started) {
  await started?.browser?.close();
  await started?.demo?.close();
  if (started?.dir) rmSync(started.dir, { recursive: true, force: true });
}

/** SHA-256 of each consortium CA certificate (DER), read from the demo's CA files, sorted. */
function consortiumPins(dir) {
  return CONSORTIUM.map((msp) => createHash('sha256').update(new X509Certificate(readFileSync(join(dir, 'msp', msp, 'ca-cert.pem'))).raw).digest('hex')).sort();
}

/** Page width against screen width (a phone must not scroll sideways). */
const overflow = (page) => page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));

/**
 * Record in `problems` the script errors and console errors of `page`. Failed requests that the
 * tests cause on purpose are logged by Chromium as "Failed to load resource"; those are expected.
 */
function recordProblems(page, problems) {
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
}

module.exports = { ARTIFACTS, CONSORTIUM, consortiumPins, overflow, recordProblems, startWebDemo, stopWebDemo };
