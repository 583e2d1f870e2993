import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCollectionsConfig, termsCollection } from './collections';

/** The default consortium the package ships its collections_config.json for. */
const DEFAULT_CONSORTIUM = [
  { mspId: 'Org1MSP', role: 'factory' },
  { mspId: 'Org2MSP', role: 'factory' },
  { mspId: 'Org3MSP', role: 'buyer' },
  { mspId: 'Org4MSP', role: 'auditor' },
];

describe('private data collections', () => {
  it('pairs every buyer-capable org with every other factory, and nobody else', () => {
    const names = buildCollectionsConfig(DEFAULT_CONSORTIUM).map((c) => c.name);
    expect(names).to.deep.equal(['terms-Org1MSP-Org2MSP', 'terms-Org2MSP-Org1MSP', 'terms-Org3MSP-Org1MSP', 'terms-Org3MSP-Org2MSP']);
  });

  it('limits each collection to its two members, member-only for reads and writes', () => {
    const c = buildCollectionsConfig(DEFAULT_CONSORTIUM).find((x) => x.name === termsCollection('Org3MSP', 'Org1MSP'))!;
    expect(c.policy).to.equal("OR('Org3MSP.member','Org1MSP.member')");
    expect(c).to.include({ memberOnlyRead: true, memberOnlyWrite: true, blockToLive: 0 });
  });

  it('ships collections_config.json for the default consortium', () => {
    const shipped = JSON.parse(readFileSync(join(__dirname, '..', '..', 'collections_config.json'), 'utf8'));
    expect(shipped).to.deep.equal(buildCollectionsConfig(DEFAULT_CONSORTIUM));
  });
});
