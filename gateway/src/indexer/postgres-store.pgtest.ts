/**
 * The store suite on PostgreSQL 15 (a throwaway server per run). Not part of `npm test`:
 * run with `node_modules/.bin/node node_modules/.bin/mocha --no-config --timeout 120000 'gateway/dist/indexer/**\/*.pgtest.js'`.
 * Fails (never skips) when PostgreSQL is not installed.
 */
import { PostgresStore } from './postgres-store';
import { startTestPostgres, type TestPostgres } from './testing/postgres';
import { defineStoreSuite } from './testing/store-suite';

let server: TestPostgres | undefined;

before(async function () {
  this.timeout(60_000);
  server = await startTestPostgres();
});

after(async () => {
  await server?.stop();
});

defineStoreSuite('PostgresStore', () => async (name, options) => {
  if (!server) throw new Error('the test PostgreSQL server did not start');
  return PostgresStore.open({ connectionString: await server.createDatabase(name), maxConnections: 5, ...options });
});
