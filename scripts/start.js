#!/usr/bin/env node
// npm start: the demo consortium on the embedded ledger (under .data/demo), one gateway per
// member organisation, and their URLs. Stops cleanly on Ctrl-C / SIGTERM.
'use strict';
const { join } = require('node:path');
const { startDemo } = require('../gateway/dist/demo/start-demo.js');

(async () => {
  const directory = process.env.FT_DEMO_DIR || join(__dirname, '..', '.data', 'demo');
  const basePort = Number(process.env.FT_DEMO_PORT || 8080);
  const demo = await startDemo(directory, basePort);
  console.log(`ForgeTrace demo consortium ${demo.seeded ? 'created' : 'reopened'} at ${directory}`);
  for (const g of demo.gateways) {
    console.log(`\n  ${g.name} (${g.mspId})`);
    console.log(`    gateway  ${g.url}/v1    API docs ${g.url}/docs`);
    if (g.webApp) console.log(`    web app  ${g.url}/`);
    for (const [role, key] of Object.entries(g.apiKeys)) console.log(`    X-API-Key: ${key}   (${role})`);
  }
  console.log(`\nTry: curl -H 'X-API-Key: ${demo.gateways[3].apiKeys.auditor}' ${demo.gateways[3].url}/v1/parts/PO-1001.1/trace`);
  console.log('\nTwins: the factories take MQTT telemetry on mqtt://127.0.0.1:1883 (Org1MSP) and :1884 (Org2MSP),');
  console.log('topic forgetrace/<org>/<machine>/telemetry. Feed simulated telemetry with:');
  console.log('  node gateway/dist/twin/simulator-publisher.js --org Org1MSP --machines DE-MILL-01:cnc-spindle --mqtt mqtt://127.0.0.1:1883 --minutes 60');
  console.log(`then: curl -H 'X-API-Key: ${demo.gateways[0].apiKeys.factory_operator}' ${demo.gateways[0].url}/v1/machines/DE-MILL-01/twin`);
  if (demo.gateways.some((g) => g.webApp)) console.log(`\nWeb app: open ${demo.gateways[0].url}/ and sign in with one of that gateway's keys above (each member's app signs in at its own gateway).`);
  else console.log('\nWeb app: not built (npm run build:web), so the gateways do not serve it.');
  const buyer = demo.gateways.find((g) => g.apiKeys.buyer);
  if (buyer) console.log(`\nPublic provenance (no sign-in, what the buyer disclosed): ${buyer.url}/p/PO-1001.1 — as a proof bundle: ${buyer.url}/public/parts/PO-1001.1/provenance`);
  console.log('Ctrl-C stops.');
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await demo.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
})().catch((e) => {
  console.error(e.message || e);
  process.exit(1);
});
