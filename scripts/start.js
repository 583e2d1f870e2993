#!/usr/bin/env node
// npm start: opens (or creates and seeds) the demo consortium on the embedded ledger
// under .data/demo and prints what is on it. The HTTP gateway and web app come with
// their issues; until then this is what `npm start` runs.
'use strict';
const { join } = require('node:path');
const { openDemoConsortium } = require('../gateway/dist/demo/demo-consortium.js');

(async () => {
  const directory = process.env.FT_DEMO_DIR || join(__dirname, '..', '.data', 'demo');
  const demo = await openDemoConsortium(directory);
  const ev = async (tx, ...args) => JSON.parse(Buffer.from(await demo.ledger.evaluate(demo.users.auditor, tx, args)).toString('utf8'));
  const members = await ev('registry:ListMembers');
  console.log(`ForgeTrace demo ledger ${demo.seeded ? 'created' : 'reopened'} at ${directory} (height ${await demo.ledger.height()} blocks)`);
  for (const m of members) {
    const machines = m.role === 'factory' ? await ev('machines:ListMachines', m.mspId) : [];
    console.log(`  ${m.mspId.padEnd(8)} ${m.role.padEnd(8)} ${m.name}${machines.length ? `  machines: ${machines.map((x) => x.id).join(', ')}` : ''}`);
  }
  for (const id of ['PO-1001', 'PO-1002', 'PO-1003']) {
    const order = await ev('orders:GetOrder', id);
    const parts = await Promise.all(order.partIds.map((p) => ev('orders:GetPart', p)));
    console.log(`  order ${id} "${order.spec.name}": ${parts.map((p) => `${p.id}=${p.status}`).join(', ')}`);
  }
  const trace = await ev('trace:GetPartTrace', 'PO-1001.1', '{}');
  console.log(`  trace of PO-1001.1: ${trace.entries.map((e) => e.type).join(' → ')}`);
  console.log('gateway not built yet: the REST API and web app arrive with their issues; this ledger is what they will serve.');
  await demo.ledger.close();
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
