// Browser suite of the web app (npm run test:e2e): the demo consortium's gateways serve the built
// app, and a real Chromium (/usr/bin/chromium, driven by playwright-core) signs in as each kind
// of user. Screenshots go to clients/web/test-artifacts/ (git-ignored).
// fetch and URL are Node globals; sessionStorage and document are used inside page.evaluate (the browser).
/* global fetch, URL, sessionStorage, document */
'use strict';
const { describe, it, before, after } = require('mocha');
const { expect } = require('chai');
const { existsSync, mkdirSync, mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { chromium } = require('playwright-core');

const CHROMIUM = process.env.FT_CHROMIUM || '/usr/bin/chromium';
const ARTIFACTS = join(__dirname, '..', 'test-artifacts');
const WEB_DIST = join(__dirname, '..', 'dist', 'index.html');

describe('web app in Chromium', function () {
  let demo;
  let browser;
  let dir;
  /** Problems the browser reported that no test expects (CSP violations, script errors). */
  const browserProblems = [];
  const gateway = (mspId) => demo.gateways.find((g) => g.mspId === mspId);
  const api = async (g, role, path) => {
    const res = await fetch(g.url + path, { headers: { 'X-API-Key': g.apiKeys[role] } });
    expect(res.status, `GET ${path}`).to.equal(200);
    return res.json();
  };

  before(async function () {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing; install it (apt-get install -y chromium)`);
    if (!existsSync(WEB_DIST)) throw new Error(`${WEB_DIST} is missing; build the app first (npm run build:web)`);
    process.env.FT_LOG_LEVEL ??= 'silent';
    mkdirSync(ARTIFACTS, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'forgetrace-web-'));
    const { startDemo } = require('@forgetrace/gateway/dist/demo/start-demo');
    demo = await startDemo(dir, 0);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  });

  after(async function () {
    await browser?.close();
    await demo?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A fresh browser context (its own sessionStorage) with a page that records problems. */
  async function newPage(options = {}) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
    const page = await context.newPage();
    page.on('pageerror', (e) => browserProblems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      // Failed API calls (the bad-key test's 401) are logged by Chromium as errors; they are expected.
      if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) browserProblems.push(`console: ${m.text()}`);
    });
    return page;
  }

  async function signIn(page, g, role) {
    await page.goto(`${g.url}/`);
    await page.getByLabel('API key').fill(g.apiKeys[role]);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
  }

  const shot = (page, name, fullPage = true) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage });

  it('serves the app at / and client routes, keeping the API 404s as problems', async function () {
    const g = gateway('Org1MSP');
    for (const path of ['/', '/factory', '/trace?part=PO-1001.1']) {
      const res = await fetch(g.url + path, { headers: { Accept: 'text/html' } });
      expect(res.status, path).to.equal(200);
      expect(await res.text(), path).to.contain('<main id="main"');
    }
    const csp = (await fetch(`${g.url}/`)).headers.get('content-security-policy');
    expect(csp).to.contain("script-src 'self'");
    expect((await fetch(`${g.url}/web-config.json`).then((r) => r.json())).mspId).to.equal('Org1MSP');
    for (const path of ['/v1/nope', '/docs/nope', '/assets/missing.js']) {
      const res = await fetch(g.url + path, { headers: { Accept: 'text/html' } });
      expect(res.status, path).to.be.oneOf([401, 404]);
      expect(res.headers.get('content-type'), path).to.match(/problem\+json/);
    }
  });

  it('shows the problem detail for a bad API key and stays signed out', async function () {
    const page = await newPage();
    await page.goto(`${gateway('Org1MSP').url}/`);
    await page.getByLabel('API key').fill('not-a-key');
    await page.getByLabel('API key').press('Enter');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).to.contain('the API key is not valid').and.contain('401 UNAUTHENTICATED');
    expect(await page.evaluate(() => sessionStorage.getItem('forgetrace.session'))).to.equal(null);
    await shot(page, '01-bad-key');
    await page.context().close();
  });

  it('lets the Org1 factory operator report the finish of JOB-2 and see machine health', async function () {
    const g = gateway('Org1MSP');
    const page = await newPage();
    await signIn(page, g, 'factory_operator');
    expect(new URL(page.url()).pathname).to.equal('/factory');
    const job = page.locator('[data-job-id="JOB-2"]');
    await job.and(page.locator('[data-status="started"]')).waitFor();
    await shot(page, '02-factory-before');

    // Keyboard only: focus the button and press Enter.
    await job.getByRole('button', { name: 'Report finish' }).focus();
    await page.keyboard.press('Enter');
    await page.locator('[data-job-id="JOB-2"][data-status="finished"]').waitFor();
    expect(await page.locator('.announcer').textContent()).to.match(/JOB-2: report finish recorded, now finished \(transaction [0-9a-f]{12}…\)/);
    expect(await page.locator('[data-job-id="JOB-2"] .badge').textContent()).to.equal('Finished');
    expect(await page.locator('[data-job-id="JOB-2"] button').count()).to.equal(0);
    const fromApi = await api(g, 'factory_operator', '/v1/jobs/JOB-2');
    expect(fromApi.status).to.equal('finished');
    expect(fromApi.finish.machineId).to.equal('DE-MILL-01');

    // Machines with their twin estimate ± std.
    const mill = page.locator('[data-machine-id="DE-MILL-01"]');
    await mill.locator('.wear').waitFor();
    const twin = await api(g, 'factory_operator', '/v1/machines/DE-MILL-01/twin');
    expect(await mill.locator('.wear').textContent()).to.contain('±').and.contain(twin.wear.unit);
    expect(await mill.locator('.states tbody tr').count()).to.equal(twin.states.length);
    expect(await mill.locator('meter').getAttribute('value')).to.equal(String(Math.round(twin.healthIndex * 100)));
    await shot(page, '03-factory-after-finish');

    // Sign out clears the key.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API key').waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('forgetrace.session'))).to.equal(null);
    await page.context().close();
  });

  it('lets the Org1 factory operator accept a newly assigned job', async function () {
    const g = gateway('Org1MSP');
    // The demo's jobs are all under way; the buyer assigns another operation of an open order.
    const buyer = gateway('Org3MSP');
    const machines = await api(g, 'factory_operator', '/v1/machines?ownerMsp=Org1MSP');
    const lathe = machines.items.find((m) => m.capabilities.processes.includes('turning'));
    const parts = await api(buyer, 'buyer', '/v1/parts?limit=500');
    const jobs = await api(g, 'factory_operator', '/v1/jobs?limit=500');
    const part = parts.items.find((p) => p.orderId === 'PO-1003' && !jobs.items.some((j) => j.partId === p.id && j.status !== 'declined'));
    if (!part) throw new Error(`the demo has no unassigned part of PO-1003 to assign: ${JSON.stringify(jobs.items.map((j) => [j.id, j.partId, j.status]))}`);
    const now = Date.now();
    const res = await fetch(`${buyer.url}/v1/jobs`, {
      method: 'POST',
      headers: { 'X-API-Key': buyer.apiKeys.buyer, 'Content-Type': 'application/json', 'Idempotency-Key': `web-e2e-${now}` },
      body: JSON.stringify({ id: `JOB-WEB-${now}`, scheduleAnchorId: 'plan-demo-1', partId: part.id, operationIndex: 0, factoryMsp: 'Org1MSP', machineId: lathe.id, plannedStart: new Date(now + 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z'), plannedEnd: new Date(now + 7_200_000).toISOString().replace(/\.\d+Z$/, 'Z') }),
    });
    const assigned = await res.json();
    expect(res.status, JSON.stringify(assigned)).to.equal(201);

    const page = await newPage();
    await signIn(page, g, 'factory_operator');
    const card = page.locator(`[data-job-id="${assigned.id}"]`);
    await card.and(page.locator('[data-status="assigned"]')).waitFor();
    await card.getByRole('button', { name: 'Accept' }).click();
    await page.locator(`[data-job-id="${assigned.id}"][data-status="accepted"]`).waitFor();
    expect((await api(g, 'factory_operator', `/v1/jobs/${assigned.id}`)).status).to.equal('accepted');
    await page.locator(`[data-job-id="${assigned.id}"]`).getByRole('button', { name: 'Report start' }).click();
    await page.locator(`[data-job-id="${assigned.id}"][data-status="started"]`).waitFor();
    expect((await api(g, 'factory_operator', `/v1/jobs/${assigned.id}`)).status).to.equal('started');
    await shot(page, '04-factory-accepted-started');
    await page.context().close();
  });

  it('shows the auditor (Org4) every entry of the trace of PO-1001.1', async function () {
    const g = gateway('Org4MSP');
    const page = await newPage();
    await signIn(page, g, 'auditor');
    expect(new URL(page.url()).pathname).to.equal('/trace');
    await page.getByLabel('Part id').fill('PO-1001.1');
    await page.getByRole('button', { name: 'Show trace' }).click();
    await page.locator('ol.timeline').waitFor();

    const trace = await api(g, 'auditor', '/v1/parts/PO-1001.1/trace?pageSize=1000');
    expect(trace.nextPageToken).to.equal(null);
    expect(trace.entries.length).to.be.greaterThan(3);
    const shown = await page.locator('ol.timeline > li').evaluateAll((items) => items.map((li) => ({
      txId: li.getAttribute('data-tx-id'), type: li.getAttribute('data-type'), org: li.querySelector('.entry-org')?.textContent, time: li.querySelector('time')?.getAttribute('datetime'),
    })));
    expect(shown).to.deep.equal(trace.entries.map((e) => ({ txId: e.txId, type: e.type, org: e.mspId, time: e.at })));
    await shot(page, '05-auditor-trace');

    // The part is in the address: a reload shows the same trace.
    await page.reload();
    await page.locator('ol.timeline').waitFor();
    expect(await page.locator('ol.timeline > li').count()).to.equal(trace.entries.length);

    // An unknown part shows the gateway's problem detail.
    await page.getByLabel('Part id').fill('NO-SUCH-PART');
    await page.getByRole('button', { name: 'Show trace' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).to.contain('Could not load the trace of NO-SUCH-PART').and.contain('404');
    await page.context().close();
  });

  it('shows the buyer (Org3) its recommended configurations and orders', async function () {
    const g = gateway('Org3MSP');
    const page = await newPage();
    await signIn(page, g, 'buyer');
    expect(new URL(page.url()).pathname).to.equal('/buyer');
    await page.locator('.recommendation').first().waitFor();
    await page.locator('.order').first().waitFor();
    const recommended = await page.locator('.recommendation').evaluateAll((items) => items.map((li) => li.getAttribute('data-configuration')));
    expect(recommended.length).to.be.within(1, 5);
    const served = await api(g, 'buyer', '/v1/recommendations/parts?buyer=Org3MSP&k=5');
    expect(recommended).to.have.members(served.items.map((i) => i.configuration));
    const orders = await api(g, 'buyer', '/v1/orders?buyerMsp=Org3MSP&limit=200');
    expect(await page.locator('.order').count()).to.equal(orders.items.length);
    expect(await page.locator('[data-order-id="PO-1001"]').textContent()).to.contain('Hinge bracket');
    await shot(page, '06-buyer');
    await page.context().close();
  });

  it('fits a phone-width screen (390 × 844) without horizontal scrolling', async function () {
    const page = await newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    await signIn(page, gateway('Org4MSP'), 'auditor');
    await page.getByLabel('Part id').fill('PO-1001.1');
    await page.getByLabel('Part id').press('Enter');
    await page.locator('ol.timeline > li').first().waitFor();
    const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
    expect(widths.scroll, 'page is wider than the screen').to.be.at.most(widths.client);
    const box = await page.getByRole('button', { name: 'Show trace' }).boundingBox();
    expect(box.height, 'touch target height').to.be.at.least(44);
    await shot(page, '07-phone-trace');
    await page.context().close();
  });

  it('reported no script errors or CSP violations', function () {
    expect(browserProblems).to.deep.equal([]);
  });
});
