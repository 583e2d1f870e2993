// Browser suite of the auditor's part search (npm run test:e2e): filters on GET /v1/parts (order,
// status, buyer) and on the producer, the results table with "load more", opening a result's
// verified trace, the empty and problem states, keyboard use and a phone-width screen. The demo
// consortium's gateways serve the built app; a real Chromium (/usr/bin/chromium, playwright-core)
// drives it. Screenshots go to test-artifacts/.
// fetch, URL and setTimeout are Node globals here; document is used inside page callbacks.
/* global fetch, URL, setTimeout, document */
'use strict';
const { describe, it, before, after } = require('mocha');
const { expect } = require('chai');
const { createHash } = require('node:crypto');
const { join } = require('node:path');
const { ARTIFACTS, consortiumPins, overflow, recordProblems, startWebDemo, stopWebDemo } = require('./support.cjs');

/** The demo's organisations whose CA certificates are in the channel configuration. */
/** The view's page size, and an order with more parts than one page. */
const PAGE_SIZE = 25;
const BIG_ORDER = `PO-SEARCH-${Date.now()}`;
const BIG_QUANTITY = 30;

describe('auditor part search in Chromium', function () {
  let demo;
  let browser;
  /** What startWebDemo started. */
  let started;
  const browserProblems = [];
  const gateway = (mspId) => demo.gateways.find((g) => g.mspId === mspId);
  /** GET as the auditor of Org4, straight from the gateway: answers { status, body }. */
  const auditorGet = async (path) => {
    const g = gateway('Org4MSP');
    const res = await fetch(g.url + path, { headers: { 'X-API-Key': g.apiKeys.auditor, Accept: 'application/json' } });
    return { status: res.status, body: await res.json() };
  };
  /** Every part the gateway lists for a query (all pages). */
  const listed = async (query) => {
    const items = [];
    let cursor = null;
    do {
      const { status, body } = await auditorGet(`/v1/parts?${query}&limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(status, query).to.equal(200);
      items.push(...body.items);
      cursor = body.nextCursor;
    } while (cursor);
    return items;
  };
  const shot = (page, name) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  /** The rows of the results table as the page shows them. */
  const shownRows = (page) => page.locator('.part-results tbody tr').evaluateAll((rows) => rows.map((r) => ({
    id: r.querySelector('th a')?.textContent,
    orderId: r.cells[1]?.textContent,
    status: r.getAttribute('data-status'),
    producer: r.cells[3]?.textContent,
    qc: r.cells[4]?.textContent,
  })));
  /** What the rows should show for parts as the API lists them. */
  const expectedRows = (parts) => parts.map((p) => ({
    id: p.id, orderId: p.orderId, status: p.status, producer: p.producerMsp ?? '—',
    qc: p.qc ? `${p.qc.result === 'pass' ? 'Passed' : 'Failed'}${p.qc.dispute && !p.qc.dispute.resolution ? ' (disputed)' : ''}` : '—',
  }));

  before(async function () {
    started = await startWebDemo('forgetrace-web-search-');
    ({ demo, browser } = started);
    // The auditor's browser verifies traces against the CA pins its gateway serves.
    const config = await fetch(`${gateway('Org4MSP').url}/web-config.json`).then((r) => r.json());
    expect([...config.trustedCaFingerprints].sort(), 'the gateway pins the consortium CAs').to.deep.equal(consortiumPins(started.dir));

    // An order with more parts than one page of results, placed by the Org3 buyer.
    const buyer = gateway('Org3MSP');
    const res = await fetch(`${buyer.url}/v1/orders`, {
      method: 'POST',
      headers: { 'X-API-Key': buyer.apiKeys.buyer, 'Content-Type': 'application/json', 'Idempotency-Key': `web-search-${BIG_ORDER}` },
      body: JSON.stringify({
        id: BIG_ORDER,
        spec: { name: 'Search fixture', specHash: createHash('sha256').update(BIG_ORDER).digest('hex'), material: 'al6061', parameters: {} },
        operations: [{ process: 'milling', estimatedMinutes: 10 }],
        quantity: BIG_QUANTITY,
        dueDate: new Date(Date.now() + 30 * 86400e3).toISOString().replace(/\.\d+Z$/, 'Z'),
      }),
    });
    expect(res.status, await res.clone().text()).to.equal(201);
    // Org4's index follows the ledger: wait until it lists the new parts.
    for (let i = 0; i < 100 && (await listed(`orderId=${BIG_ORDER}`)).length < BIG_QUANTITY; i++) await new Promise((r) => setTimeout(r, 100));
    expect((await listed(`orderId=${BIG_ORDER}`)).length).to.equal(BIG_QUANTITY);
  });

  after(async function () {
    await stopWebDemo(started);
  });

  /** A signed-in auditor (Org4) on a fresh page that records browser problems. */
  async function auditorPage(options = {}) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
    const page = await context.newPage();
    recordProblems(page, browserProblems); // the 4xx and 503 the tests cause are expected
    const g = gateway('Org4MSP');
    await page.goto(`${g.url}/`);
    await page.getByLabel('API key').fill(g.apiKeys.auditor);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    return page;
  }

  /** Fill the filters, submit with Enter in the order field, and wait for the outcome. */
  async function search(page, { order = '', status = '', buyer = '', producer = '' }) {
    await page.getByLabel('Order id').fill(order);
    await page.getByLabel('Status').selectOption(status);
    await page.getByLabel('Buyer organisation').fill(buyer);
    await page.getByLabel('Producer organisation').fill(producer);
    await page.getByLabel('Order id').press('Enter');
    await page.locator('.search-results:not([aria-busy]) :is(.search-summary, .problem)').first().waitFor();
  }

  it('searches by order: PO-1001 lists its parts with order, status, producer and QC', async function () {
    const parts = await listed('orderId=PO-1001');
    expect(parts.map((p) => p.id)).to.deep.equal(['PO-1001.1', 'PO-1001.2']);
    const page = await auditorPage();
    await search(page, { order: 'PO-1001' });
    expect(await shownRows(page)).to.deep.equal(expectedRows(parts));
    expect(await shownRows(page).then((rows) => rows[0])).to.include({ producer: 'Org1MSP', qc: 'Passed' });
    expect(await page.locator('.search-summary').textContent()).to.equal('2 parts.');
    expect(await page.getByRole('button', { name: 'Load more' }).isVisible()).to.equal(false);
    // The search is kept in the address.
    expect(new URL(page.url()).searchParams.get('order')).to.equal('PO-1001');
    await shot(page, '30-auditor-search-order');
    await page.context().close();
  });

  it('filters by status (alone and with the order) and by producer', async function () {
    const page = await auditorPage();
    await search(page, { order: 'PO-1001', status: 'shipped' });
    expect(await shownRows(page)).to.deep.equal(expectedRows(await listed('orderId=PO-1001&status=shipped')));
    expect((await shownRows(page)).map((r) => r.id)).to.deep.equal(['PO-1001.1']);

    await search(page, { status: 'in_production' });
    const inProduction = await listed('status=in_production');
    expect(inProduction.length).to.be.greaterThan(0);
    expect(await shownRows(page)).to.deep.equal(expectedRows(inProduction));
    expect((await shownRows(page)).every((r) => r.status === 'in_production')).to.equal(true);

    await search(page, { status: 'created', buyer: 'Org3MSP' });
    expect(await shownRows(page)).to.deep.equal(expectedRows((await listed('status=created&buyerMsp=Org3MSP')).slice(0, PAGE_SIZE)));

    // The producer is not a filter of the route: the view keeps the matching parts of each page.
    await search(page, { producer: 'Org1MSP' });
    expect(await shownRows(page)).to.deep.equal(expectedRows((await listed('')).filter((p) => p.producerMsp === 'Org1MSP')));
    expect(await page.locator('.search-summary').textContent()).to.contain('checked for producer Org1MSP');
    await shot(page, '31-auditor-search-status');
    await page.context().close();
  });

  it('loads the next page with "load more" and moves the focus to its first part', async function () {
    const parts = await listed(`orderId=${BIG_ORDER}`);
    const page = await auditorPage();
    await search(page, { order: BIG_ORDER });
    expect(await shownRows(page)).to.deep.equal(expectedRows(parts.slice(0, PAGE_SIZE)));
    expect(await page.locator('.search-summary').textContent()).to.equal(`${PAGE_SIZE} parts; more to load.`);
    await page.getByRole('button', { name: 'Load more' }).focus();
    await page.keyboard.press('Enter');
    await page.locator('.part-results tbody tr').nth(PAGE_SIZE).waitFor();
    expect(await shownRows(page)).to.deep.equal(expectedRows(parts));
    expect(await page.locator('.search-summary').textContent()).to.equal(`${BIG_QUANTITY} parts.`);
    expect(await page.getByRole('button', { name: 'Load more' }).isVisible()).to.equal(false);
    expect(await page.evaluate(() => document.activeElement?.textContent)).to.equal(parts[PAGE_SIZE].id);
    await page.context().close();
  });

  it('keeps the shown parts and tells the problem when "load more" fails', async function () {
    const page = await auditorPage();
    await search(page, { order: BIG_ORDER });
    await page.route('**/v1/parts?*cursor=*', (route) => route.fulfill({
      status: 503, contentType: 'application/problem+json',
      body: JSON.stringify({ type: 'about:blank', title: 'Service Unavailable', status: 503, code: 'INDEX_UNAVAILABLE', detail: 'the index is being rebuilt' }),
    }));
    await page.getByRole('button', { name: 'Load more' }).click();
    const alert = page.locator('.load-more-problem [role="alert"]');
    await alert.waitFor();
    expect(await alert.textContent()).to.contain('Could not load more parts').and.contain('the index is being rebuilt').and.contain('503 INDEX_UNAVAILABLE');
    expect(await page.locator('.part-results tbody tr').count()).to.equal(PAGE_SIZE);
    expect(await page.getByRole('button', { name: 'Load more' }).isEnabled()).to.equal(true);
    await page.context().close();
  });

  it('opens the verified trace of the chosen result (keyboard), and keeps search and part on reload', async function () {
    const { body: bundle } = await auditorGet('/v1/parts/PO-1001.1/provenance');
    const page = await auditorPage();
    await search(page, { order: 'PO-1001' });
    await page.getByRole('link', { name: 'PO-1001.1' }).focus();
    await page.keyboard.press('Enter');
    const verdict = page.locator('.trace-result .verdict');
    await verdict.waitFor();
    expect(await verdict.getAttribute('data-verdict'), await verdict.textContent()).to.equal('valid');
    expect(await page.locator('.trace-result h2').first().textContent()).to.contain('PO-1001.1');
    const entries = page.locator('ol.timeline > li');
    expect(await entries.count()).to.equal(bundle.trace.entries.length);
    expect(await entries.evaluateAll((items) => items.every((li) => li.getAttribute('data-claim') === 'verified'))).to.equal(true);
    expect(await page.evaluate(() => document.activeElement?.classList.contains('trace-result'))).to.equal(true);
    const url = new URL(page.url());
    expect([url.pathname, url.searchParams.get('order'), url.searchParams.get('part')]).to.deep.equal(['/trace', 'PO-1001', 'PO-1001.1']);
    await shot(page, '32-auditor-search-trace');

    await page.reload();
    await page.locator('.trace-result .verdict[data-verdict="valid"]').waitFor();
    await page.locator('.part-results tbody tr').first().waitFor();
    expect((await shownRows(page)).map((r) => r.id)).to.deep.equal(['PO-1001.1', 'PO-1001.2']);
    expect(await page.getByLabel('Order id').inputValue()).to.equal('PO-1001');
    await page.context().close();
  });

  it('says "no parts match" for a search without results', async function () {
    const page = await auditorPage();
    await search(page, { order: 'PO-9999' });
    expect(await page.locator('.search-summary').textContent()).to.equal('No parts match these filters.');
    expect(await page.locator('.part-results').count()).to.equal(0);
    await search(page, { order: 'PO-1002', status: 'delivered' });
    expect(await page.locator('.search-summary').textContent()).to.equal('No parts match these filters.');
    await shot(page, '33-auditor-search-empty');
    await page.context().close();
  });

  it('shows the gateway\'s problem detail for a rejected search (invalid status, malformed order id)', async function () {
    const invalidStatus = await auditorGet('/v1/parts?status=lost&limit=25');
    expect(invalidStatus.status).to.be.within(400, 499);
    const page = await auditorPage();
    // A status that is not one of the list, from a link: the gateway says what is wrong with it.
    await page.goto(`${gateway('Org4MSP').url}/trace?status=lost`);
    const alert = page.locator('.search-results [role="alert"]');
    await alert.waitFor();
    expect(await alert.textContent()).to.contain('Could not search parts').and.contain(invalidStatus.body.detail).and.contain(`${invalidStatus.status} ${invalidStatus.body.code}`);
    expect(await page.getByLabel('Status').inputValue()).to.equal('lost');
    await shot(page, '34-auditor-search-problem');

    const badOrder = await auditorGet(`/v1/parts?orderId=${encodeURIComponent('PO 1001')}&limit=25`);
    expect(badOrder.status).to.be.within(400, 499);
    await search(page, { order: 'PO 1001' });
    expect(await alert.textContent()).to.contain(badOrder.body.detail).and.contain(`${badOrder.status} ${badOrder.body.code}`);
    await page.context().close();
  });

  it('fits the search, its results and the trace on a phone-width screen (390 × 844)', async function () {
    const page = await auditorPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    await search(page, { order: BIG_ORDER });
    let widths = await overflow(page);
    expect(widths.scroll, 'page is wider than the screen').to.be.at.most(widths.client);
    for (const name of ['Search parts', 'Load more']) expect((await page.getByRole('button', { name }).boundingBox()).height, name).to.be.at.least(44);
    expect((await page.locator('.part-link').first().boundingBox()).height, 'result link').to.be.at.least(44);
    const rows = await page.locator('.part-results tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getBoundingClientRect().right));
    expect(Math.max(...rows)).to.be.at.most(390);
    await shot(page, '35-phone-auditor-search');

    await search(page, { order: 'PO-1001' });
    await page.getByRole('link', { name: 'PO-1001.1' }).tap();
    await page.locator('.trace-result .verdict').waitFor();
    widths = await overflow(page);
    expect(widths.scroll, 'page is wider than the screen').to.be.at.most(widths.client);
    await shot(page, '36-phone-auditor-search-trace');
    await page.context().close();
  });

  it('reported no script errors or CSP violations', function () {
    expect(browserProblems).to.deep.equal([]);
  });
});
