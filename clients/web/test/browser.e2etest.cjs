// Browser suite of the web app (npm run test:e2e): the demo consortium's gateways serve the built
// app, and a real Chromium (/usr/bin/chromium, driven by playwright-core) signs in as each kind
// of user. Screenshots go to clients/web/test-artifacts/ (git-ignored).
// fetch, URL and setTimeout are Node globals; sessionStorage and document are used inside page.evaluate (the browser).
/* global fetch, URL, setTimeout, sessionStorage, document */
'use strict';
const { describe, it, before, after } = require('mocha');
const { expect } = require('chai');
const { join } = require('node:path');
const { ARTIFACTS, overflow, recordProblems, startWebDemo, stopWebDemo } = require('./support.cjs');


describe('web app in Chromium', function () {
  let demo;
  let browser;
  /** What startWebDemo started. */
  let started;
  /** Problems the browser reported that no test expects (CSP violations, script errors). */
  const browserProblems = [];
  const gateway = (mspId) => demo.gateways.find((g) => g.mspId === mspId);
  const api = async (g, role, path) => {
    const res = await fetch(g.url + path, { headers: { 'X-API-Key': g.apiKeys[role] } });
    expect(res.status, `GET ${path}`).to.equal(200);
    return res.json();
  };
  let idempotency = 0;
  /** POST as `role`; answers { status, body }. */
  const post = async (g, role, path, body) => {
    const res = await fetch(g.url + path, {
      method: 'POST',
      headers: { 'X-API-Key': g.apiKeys[role], 'Content-Type': 'application/json', 'Idempotency-Key': `web-e2e-${Date.now()}-${++idempotency}` },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  };
  const seconds = (iso) => iso.replace(/\.\d+Z$/, 'Z');
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  /** The focused element: tag, id and (when it has no id) its text. */
  const focused = (page) => page.evaluate(() => {
    const el = document.activeElement;
    return { tag: el?.tagName.toLowerCase(), id: el?.id || null, text: (el?.textContent ?? '').trim().slice(0, 40) };
  });

  before(async function () {
    started = await startWebDemo('forgetrace-web-');
    ({ demo, browser } = started);
  });

  after(async function () {
    await stopWebDemo(started);
  });

  /** A fresh browser context (its own sessionStorage) with a page that records problems. */
  async function newPage(options = {}) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
    const page = await context.newPage();
    recordProblems(page, browserProblems); // the bad-key test's 401 is an expected failed request
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

  it('charts the twin history of an Org1 machine with its ±2σ band and the anomaly marked', async function () {
    const g = gateway('Org1MSP');
    const { MachineSimulator } = require('@forgetrace/gateway/dist/twin/simulator');
    const { encodeTelemetry } = require('@forgetrace/gateway/dist/twin/telemetry');
    const { cncSpindleModel } = require('@forgetrace/gateway/dist/twin/models/index');
    // Two hours of milling sampled every 10 s; from minute 80 a 12σ step on the temperature sensor.
    const model = cncSpindleModel();
    const now = Date.now();
    const start = now - 2 * 3_600_000;
    const sim = new MachineSimulator({
      machineId: 'DE-MILL-01', model, seed: 7, start, intervalMs: 10_000,
      operations: [{ start: start + 60_000, end: now, load: 0.7, speed: 0.8 }],
      faults: [{ kind: 'step', channel: 0, start: start + 80 * 60_000, duration: 10 * 60_000, magnitude: 12 }],
    });
    const samples = [];
    for (let s = sim.next(); s.t < now - 5_000; s = sim.next()) samples.push(encodeTelemetry({ t: s.t, seq: s.seq, u: s.u, y: s.yRaw }, model));
    for (let i = 0; i < samples.length; i += 1000) {
      const r = await post(g, 'factory_operator', '/v1/machines/DE-MILL-01/telemetry', { samples: samples.slice(i, i + 1000) });
      expect(r.status, JSON.stringify(r.body)).to.equal(202);
    }
    const twin = await api(g, 'factory_operator', '/v1/machines/DE-MILL-01/twin');
    const { anomalies } = await api(g, 'factory_operator', '/v1/machines/DE-MILL-01/twin/anomalies');
    const history = await api(g, 'factory_operator', '/v1/machines/DE-MILL-01/twin/history?points=150');
    const flagged = history.points.filter((p) => p.anomaly);
    expect(anomalies.length, 'the twin detected the step fault').to.be.at.least(1);
    expect(flagged.length).to.be.at.least(1);

    const page = await newPage();
    await signIn(page, g, 'factory_operator');
    const mill = page.locator('[data-machine-id="DE-MILL-01"]');
    const chart = mill.locator('figure.chart');
    await chart.locator('svg.ts-chart').waitFor();
    // It opens on the state the open anomaly is about (else the wear state).
    const picker = mill.getByLabel('Chart', { exact: true });
    expect(await picker.inputValue()).to.equal(twin.anomaly?.channel ?? 'toolWear');
    const state = await picker.inputValue();
    expect(await chart.getAttribute('data-points')).to.equal(String(history.points.length));
    expect(await chart.locator('.anomaly-marker').count(), 'one marker per point with an open anomaly').to.equal(flagged.length);
    expect(await chart.locator('.anomaly-span').count(), 'one shaded span per episode').to.equal(anomalies.length);
    expect(await mill.locator('.anomaly-open').textContent()).to.contain('Open anomaly');

    // The band is an area with height that contains the mean line.
    const geometry = await chart.evaluate((fig) => {
      const box = (sel) => { const b = fig.querySelector(sel).getBBox(); return { top: b.y, bottom: b.y + b.height, left: b.x, right: b.x + b.width }; };
      return { band: box('.band'), mean: box('.mean'), d: fig.querySelector('.band').getAttribute('d') };
    });
    expect(geometry.d).to.match(/^M.*Z$/);
    expect(geometry.band.bottom - geometry.band.top).to.be.greaterThan(0);
    expect(geometry.band.top).to.be.at.most(geometry.mean.top + 0.5);
    expect(geometry.band.bottom).to.be.at.least(geometry.mean.bottom - 0.5);
    expect(geometry.band.right - geometry.band.left).to.be.closeTo(geometry.mean.right - geometry.mean.left, 1);

    // The table of the chart: mean and 2σ from the API's history.
    const first = history.points[0];
    const cells = await chart.locator('.chart-data tbody tr').first().locator('td').allTextContents();
    expect(Number(cells[1])).to.be.closeTo(first.states[state], Math.abs(first.states[state]) * 0.01);
    expect(Number(cells[2])).to.be.closeTo(2 * first.std[state], 2 * first.std[state] * 0.03);
    expect(await chart.locator('.chart-data tbody tr.is-anomaly').count()).to.equal(flagged.length);
    await mill.screenshot({ path: join(ARTIFACTS, '08-factory-twin-chart.png') });

    // Another state: redrawn, same anomaly markers.
    await picker.selectOption('toolWear');
    await mill.locator('figure.chart .chart-title', { hasText: 'Tool wear' }).waitFor();
    expect(await mill.locator('figure.chart .anomaly-marker').count()).to.equal(flagged.length);
    // A machine without telemetry says so instead of drawing an empty chart.
    await page.locator('[data-machine-id="DE-LATHE-01"] .twin-no-history').waitFor();
    expect(await page.locator('[data-machine-id="DE-LATHE-01"] svg.ts-chart').count()).to.equal(0);
    await page.context().close();
  });

  it('shows the accepted schedule as a Gantt chart; the factory accepts its job and reports start and finish', async function () {
    const org1 = gateway('Org1MSP');
    const buyer = gateway('Org3MSP');
    const orderId = `PO-GANTT-${Date.now()}`;
    const placed = await post(buyer, 'buyer', '/v1/orders', {
      id: orderId, spec: { name: 'Spacer', specHash: 'a'.repeat(64), material: 'ti6al4v' },
      operations: [{ process: 'turning', estimatedMinutes: 45 }], quantity: 1, dueDate: seconds(new Date(Date.now() + 7 * 86_400_000).toISOString()),
    });
    expect(placed.status, JSON.stringify(placed.body)).to.equal(201);
    const [partId] = placed.body.partIds;
    // Org1's gateway solves a plan (once its index has the order) and its admin accepts it.
    let solve;
    for (let i = 0; i < 50; i++) {
      solve = await post(org1, 'factory_operator', '/v1/schedules', { orders: [orderId], timeLimitSeconds: 2, seed: 1 });
      if (solve.status !== 422) break;
      await sleep(200);
    }
    expect(solve.status, JSON.stringify(solve.body)).to.equal(202);
    let plan;
    for (let i = 0; i < 150; i++) {
      plan = await api(org1, 'factory_operator', `/v1/schedules/${solve.body.id}`);
      if (plan.status !== 'running') break;
      await sleep(200);
    }
    expect(plan.status).to.equal('done');
    const accepted = await post(org1, 'admin', `/v1/schedules/${plan.id}/acceptance`, {});
    expect(accepted.status, JSON.stringify(accepted.body)).to.equal(200);
    const [jobId] = accepted.body.acceptance.jobIds;
    const row = plan.gantt.find((r) => r.bars.some((b) => b.partId === partId));
    expect(row.factoryMsp).to.equal('Org1MSP');

    const page = await newPage();
    await signIn(page, org1, 'factory_operator');
    const bar = page.locator(`.gantt-row[data-machine-id="${row.machineId}"] .gantt-bar[data-bar-id="${partId}#0"]`);
    await bar.and(page.locator('[data-status="assigned"]')).waitFor();
    expect(await page.getByLabel('Plan', { exact: true }).inputValue()).to.equal(plan.id);
    expect(await page.locator('.gantt .gantt-bar').count()).to.equal(plan.gantt.reduce((n, r) => n + r.bars.length, 0));
    // Bar geometry follows the planned times: it starts where the planned start falls on the axis.
    const tableRow = page.locator(`.gantt .chart-data tr[data-bar-id="${partId}#0"]`);
    expect(await tableRow.locator('td').first().textContent()).to.equal(row.machineId);
    expect(await tableRow.locator('td time').first().getAttribute('datetime')).to.equal(new Date(row.bars[0].start).toISOString());
    await shot(page, '09-factory-gantt');

    const card = () => page.locator(`[data-job-id="${jobId}"]`);
    await card().getByRole('button', { name: 'Accept' }).click();
    await page.locator(`[data-job-id="${jobId}"][data-status="accepted"]`).waitFor();
    await bar.and(page.locator('[data-status="accepted"]')).waitFor();
    await card().getByRole('button', { name: 'Report start' }).click();
    await page.locator(`[data-job-id="${jobId}"][data-status="started"]`).waitFor();
    await bar.and(page.locator('[data-status="started"]')).waitFor();
    await card().getByRole('button', { name: 'Report finish' }).click();
    await page.locator(`[data-job-id="${jobId}"][data-status="finished"]`).waitFor();
    await bar.and(page.locator('[data-status="finished"]')).waitFor();
    expect(await page.locator('.announcer').textContent()).to.contain(`${jobId}: report finish recorded, now finished`);
    const job = await api(org1, 'factory_operator', `/v1/jobs/${encodeURIComponent(jobId)}`);
    expect(job.status).to.equal('finished');
    expect(job.start.machineId).to.equal(row.machineId);
    expect(job.finish.machineId).to.equal(row.machineId);
    await shot(page, '10-factory-job-finished');
    await page.context().close();
  });

  it('lets the buyer (Org3) order through the wizard from a recommendation and track the order', async function () {
    const g = gateway('Org3MSP');
    const page = await newPage();
    await signIn(page, g, 'buyer');
    expect(new URL(page.url()).pathname).to.equal('/buyer');

    // Step 1: the part; a bad quantity is refused in the form.
    await page.getByLabel('Part name').fill('Bearing cap');
    await page.getByLabel('Quantity').fill('0');
    await page.getByLabel('Revision (optional)').fill('B');
    await page.getByRole('button', { name: 'Next: configuration' }).click();
    expect(await page.locator('.wizard [role=alert]').textContent()).to.contain('the quantity must be a whole number from 1 to 500');
    expect(await page.getByLabel('Quantity').getAttribute('aria-invalid')).to.equal('true');
    await page.getByLabel('Quantity').fill('2');
    await page.getByRole('button', { name: 'Next: configuration' }).click();

    // Step 2: the configurations as the recommender ranked them, each with its explanation.
    await page.locator('.recommendation').first().waitFor();
    const served = await api(g, 'buyer', '/v1/recommendations/parts?buyer=Org3MSP&k=5');
    expect(served.items.length).to.be.within(1, 5);
    const shown = await page.locator('.recommendation').evaluateAll((items) => items.map((li) => li.getAttribute('data-configuration')));
    expect(shown).to.deep.equal(served.items.map((i) => i.configuration));
    for (const [i, item] of served.items.entries()) expect(await page.locator('.recommendation').nth(i).textContent()).to.contain(item.explanation.summary);
    await page.getByRole('button', { name: 'Next: review' }).click();
    expect(await page.locator('.wizard [role=alert]').textContent()).to.contain('choose one of the configurations');
    const choice = served.items.find((i) => i.configuration.endsWith('|turning')) ?? served.items[0];
    await page.locator(`.recommendation[data-configuration="${choice.configuration}"] input[type=radio]`).check();
    await page.getByRole('button', { name: 'Next: review' }).click();

    // Step 3: an order number that is taken shows the gateway's problem detail, and the form stays.
    const orderNumber = page.getByLabel('Order number');
    await orderNumber.fill('PO-1001');
    await page.getByRole('button', { name: 'Place order' }).click();
    const alert = page.locator('.wizard [role=alert]');
    await alert.waitFor();
    expect(await alert.textContent()).to.contain('Could not place the order: order PO-1001 already exists').and.contain('409 CONFLICT');
    expect((await focused(page)).id).to.equal('wiz-order-id');
    await shot(page, '11-buyer-order-conflict');
    const orderId = `PO-WEB-${Date.now()}`;
    await orderNumber.fill(orderId);
    await page.getByRole('button', { name: 'Place order' }).click();

    // Step 4: placed on the ledger as entered, with the factories recommended for it.
    await page.locator(`.placed[data-order-id="${orderId}"]`).waitFor();
    const order = await api(g, 'buyer', `/v1/orders/${orderId}`);
    const [material, route] = choice.configuration.split('|');
    expect(order).to.include({ buyerMsp: 'Org3MSP', quantity: 2, status: 'open' });
    expect(order.spec).to.include({ name: 'Bearing cap', material });
    expect(order.spec.parameters).to.deep.equal({ revision: 'B' });
    expect(order.spec.specHash).to.match(/^[0-9a-f]{64}$/);
    expect(order.operations.map((o) => o.process)).to.deep.equal(route.split('+'));
    await page.locator('.factory-recommendation').first().waitFor();
    const factories = await api(g, 'buyer', `/v1/recommendations/factories?order=${orderId}`);
    expect(factories.factories.length).to.be.greaterThan(0);
    expect(await page.locator('.factory-recommendation').evaluateAll((items) => items.map((li) => li.getAttribute('data-factory')))).to.deep.equal(factories.factories.map((f) => f.factoryMsp));
    expect(await page.locator('.factory-recommendation').first().locator('.factors li').count()).to.equal(factories.factories[0].factors.length);
    await shot(page, '12-buyer-order-placed');

    // Tracking: the new order with its two parts, just ordered; every order of the buyer listed.
    const tracked = page.locator(`.orders [data-order-id="${orderId}"]`);
    await tracked.waitFor();
    expect(await tracked.locator('.part').evaluateAll((ps) => ps.map((p) => [p.getAttribute('data-part-id'), p.getAttribute('data-status')])))
      .to.deep.equal(order.partIds.map((id) => [id, 'created']));
    expect(await tracked.locator('.part-progress [aria-current="step"]').first().textContent()).to.equal('Ordered');
    const orders = await api(g, 'buyer', '/v1/orders?buyerMsp=Org3MSP&limit=200');
    expect(await page.locator('.orders .order').count()).to.equal(orders.items.length);
    // An order under way: each part at its step, with the jobs that make it.
    const po1001 = page.locator('.orders [data-order-id="PO-1001"]');
    expect(await po1001.textContent()).to.contain('Hinge bracket');
    const parts = await api(g, 'buyer', '/v1/parts?orderId=PO-1001');
    for (const p of parts.items) expect(await po1001.locator(`.part[data-part-id="${p.id}"]`).getAttribute('data-status')).to.equal(p.status);
    expect(await po1001.locator('.part-jobs [data-job-id="JOB-1"]').textContent()).to.contain('Org1MSP').and.contain('Finished');
    // The demo gateways run no payments feature: said so, not shown as a failure.
    await page.locator('.orders .payment-off').first().waitFor();
    expect(await page.locator('.orders [role=alert]').count()).to.equal(0);
    await page.context().close();
  });

  it('shows the escrow payment status of orders when the gateway has the payments routes', async function () {
    const g = gateway('Org3MSP');
    const page = await newPage();
    // The demo has no escrow chain: these answers have the payments routes' shape and codes.
    const escrow = {
      orderId: 'PO-1001', escrowOrderId: '0x01', escrow: { chainId: '31337', address: '0x5FbDB2315678afecb367f032d93F642f64180aa3' },
      buyer: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8', token: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512', nonce: '0', total: '1000',
      payees: ['0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC'],
      milestones: [
        { index: 0, kind: 'qc_passed', status: 'released', amount: '600', deadline: '2030-01-01T00:00:00.000Z', shares: [] },
        { index: 1, kind: 'delivered', status: 'pending', amount: '400', deadline: '2030-02-01T00:00:00.000Z', shares: [] },
      ],
      owed: {},
    };
    const asked = [];
    await page.route('**/v1/orders/*/payments', (route) => {
      const id = decodeURIComponent(new URL(route.request().url()).pathname.split('/')[3]);
      asked.push(id);
      if (id === 'PO-1001') return route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(escrow) });
      if (id === 'PO-1003') return route.fulfill({ status: 503, contentType: 'application/problem+json', body: JSON.stringify({ title: 'Ledger unavailable', status: 503, detail: 'the escrow chain did not answer', code: 'LEDGER_UNAVAILABLE', paymentsCode: 'CHAIN_UNAVAILABLE' }) });
      return route.fulfill({ status: 404, contentType: 'application/problem+json', body: JSON.stringify({ title: 'No such resource', status: 404, detail: `no escrow for order ${id}`, code: 'NOT_FOUND', paymentsCode: 'ESCROW_NOT_FOUND' }) });
    });
    await signIn(page, g, 'buyer');
    const paid = page.locator('.orders [data-order-id="PO-1001"] .payment');
    await paid.locator('table.milestones').waitFor();
    expect(await paid.textContent()).to.contain('In escrow: 1000').and.contain('1 of 2 milestone(s) released');
    expect(await paid.locator('tbody tr').evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-milestone'), r.querySelector('.badge').textContent])))
      .to.deep.equal([['qc_passed', 'Released'], ['delivered', 'Pending']]);
    await page.locator('.orders [data-order-id="PO-1002"] .payment-none').waitFor();
    // A failure of the payments routes shows their problem detail on that order only.
    const failed = page.locator('.orders [data-order-id="PO-1003"] .payment [role=alert]');
    await failed.waitFor();
    expect(await failed.textContent()).to.contain('Could not load the payment status: the escrow chain did not answer').and.contain('503 LEDGER_UNAVAILABLE');
    const orders = await api(g, 'buyer', '/v1/orders?buyerMsp=Org3MSP&limit=200');
    expect([...asked].sort()).to.deep.equal(orders.items.map((o) => o.id).sort());
    await paid.screenshot({ path: join(ARTIFACTS, '13-buyer-payment-status.png') });
    await page.context().close();
  });

  it('can be used from the keyboard alone: sign-in, the views, into the order wizard', async function () {
    const g = gateway('Org3MSP');
    const page = await newPage();
    await page.goto(`${g.url}/`);
    expect(await focused(page)).to.include({ id: 'api-key' });
    await page.keyboard.type(g.apiKeys.buyer);
    await page.keyboard.press('Tab');
    expect(await focused(page)).to.include({ tag: 'button', text: 'Sign in' });
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    expect(await focused(page), 'focus moves to the view').to.include({ id: 'main' });
    // Focus order: the view links, the page's button, then the wizard's first field.
    const visited = [];
    for (let i = 0; i < 12 && (await focused(page)).id !== 'wiz-name'; i++) {
      await page.keyboard.press('Tab');
      const f = await focused(page);
      visited.push(f.id ?? f.text);
    }
    expect(visited).to.deep.equal(['Factory operator', 'Auditor', 'Buyer', 'Refresh orders', 'wiz-name']);
    await page.keyboard.type('Keyboard bracket');
    await page.keyboard.press('Enter');
    await page.locator('.recommendation').first().waitFor();
    expect(await focused(page), 'the new step takes the focus').to.include({ tag: 'h3', text: '2. Choose a configuration' });
    expect(await page.locator('.wizard > [role=status]').textContent()).to.equal('Step 2 of 4: Configuration');
    await page.keyboard.press('Tab');
    expect(await focused(page)).to.include({ tag: 'input', id: 'wiz-config-0' });
    await page.keyboard.press('Space');
    expect(await page.locator('#wiz-config-0').isChecked()).to.equal(true);
    // On to the review with the keyboard: Tab until the "Next: review" button, then Enter.
    for (let i = 0; i < 30 && (await focused(page)).text !== 'Next: review'; i++) await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    expect(await focused(page)).to.include({ tag: 'h3', text: '3. Review and place the order' });
    await shot(page, '14-keyboard-review');
    await page.context().close();
  });

  it('fits the factory and buyer views on a phone-width screen (390 × 844)', async function () {
    const page = await newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    await signIn(page, gateway('Org1MSP'), 'factory_operator');
    await page.locator('[data-machine-id="DE-MILL-01"] svg.ts-chart').waitFor();
    await page.locator('svg.gantt-chart').waitFor();
    let widths = await overflow(page);
    expect(widths.scroll, 'factory view is wider than the screen').to.be.at.most(widths.client);
    for (const chart of await page.locator('svg.ts-chart, svg.gantt-chart').all()) {
      const box = await chart.boundingBox();
      expect(box.x + box.width, 'chart inside the screen').to.be.at.most(390);
    }
    await shot(page, '15-phone-factory');
    await page.context().close();

    const phone = await newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    await signIn(phone, gateway('Org3MSP'), 'buyer');
    await phone.getByLabel('Part name').fill('Phone bracket');
    await phone.getByRole('button', { name: 'Next: configuration' }).click();
    await phone.locator('.recommendation').first().waitFor();
    await phone.locator('.orders .order').first().waitFor();
    widths = await overflow(phone);
    expect(widths.scroll, 'buyer view is wider than the screen').to.be.at.most(widths.client);
    const next = await phone.getByRole('button', { name: 'Next: review' }).boundingBox();
    expect(next.height, 'touch target height').to.be.at.least(44);
    await shot(phone, '16-phone-buyer');
    await phone.context().close();
  });

  it('fits the auditor\'s trace on a phone-width screen (390 × 844) without horizontal scrolling', async function () {
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
