import { expect } from 'chai';
import { contextPrefixes, eventHash, hashDigest, normaliseTimestamp, preHashString } from './event-hash';
import { constrainDigitalLink, epcUriToDigitalLink, gs1CheckDigit } from './gs1-uri';
import { HASH_VECTORS } from './testdata/hash-vectors';

/** Rebuild a JSON value with every object's keys in reverse order and every array reversed. */
function scramble(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(scramble).reverse();
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, scramble(v)]));
  return value;
}

describe('EPCIS event hash (CBV 2.0)', () => {
  // Our own events; the expected hashes were computed with the GS1 reference implementation,
  // epcis-event-hash-generator 1.9.3 from PyPI (see testdata/hash-vectors.ts). The e2e suite
  // epcis-reference.reftest.ts runs that implementation on exported documents.
  describe('vectors whose hashes were computed with epcis-event-hash-generator 1.9.3 (PyPI)', () => {
    for (const v of HASH_VECTORS) {
      it(`${v.name}: ${v.about}`, () => {
        const prefixes = contextPrefixes(v.context);
        expect(v.events.map(([e]) => eventHash(e, prefixes))).to.deep.equal(v.events.map(([, hash]) => hash));
      });
    }
  });

  it('is invariant under field order and list order, and ignores eventID, recordTime, comments and errorDeclaration', () => {
    let n = 0;
    for (const v of HASH_VECTORS) {
      const prefixes = contextPrefixes(v.context);
      for (const [event, hash] of v.events) {
        expect(eventHash(scramble(event), prefixes)).to.equal(hash);
        const extra = { eventID: 'urn:uuid:0b3f4a1e-1111-4c2b-9f00-000000000001', recordTime: '2030-01-01T00:00:00Z', comment: 'x', errorDeclaration: { declarationTime: '2030-01-02T00:00:00Z' } };
        expect(eventHash({ ...event, ...extra }, prefixes)).to.equal(hash);
        n++;
      }
    }
    expect(n).to.be.greaterThan(30);
  });

  it('is deterministic and changes when any value, field or list element changes', () => {
    const v = HASH_VECTORS.find((x) => x.name === 'extensions')!;
    const prefixes = contextPrefixes(v.context);
    const event = v.events[0]![0];
    const base = eventHash(event, prefixes);
    expect(eventHash(JSON.parse(JSON.stringify(event)), prefixes)).to.equal(base);
    const variants: Record<string, unknown>[] = [
      { ...event, eventTime: '2025-08-15T06:45:00.001Z' },
      { ...event, action: 'OBSERVE' },
      { ...event, bizStep: 'encoding' },
      { ...event, epcList: ['https://id.forgetrace.dev/ft/part/PO-31.2'] },
      { ...event, 'ft:orderId': 'PO-32' },
      { ...event, 'ft:extra': '1' },
      { ...event, ilmd: { 'ft:material': 'Ti6Al4V' } },
      { ...event, disposition: 'in_progress' },
      { ...event, readPoint: { id: 'urn:epc:id:sgln:4012345.00011.988' } },
    ];
    for (const changed of variants) expect(eventHash(changed, prefixes)).to.not.equal(base);
  });

  it('writes the pre-hash string in canonical order with normalised values', () => {
    const pre = preHashString({
      type: 'ObjectEvent', action: 'OBSERVE', bizStep: 'urn:epcglobal:cbv:bizstep:receiving', eventTimeZoneOffset: '+02:00', eventTime: '2024-05-01T10:00:00+02:00',
      epcList: ['urn:epc:id:sgtin:0614141.107346.2018', 'https://example.com/some/path/01/10614141073464/21/2017?x=1'],
      'ft:qty': '2.50', readPoint: { id: ' https://id.example.com/414/4012345000054 ' },
    }, contextPrefixes(['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld', { ft: 'https://ns.forgetrace.dev/epcis/' }]));
    expect(pre).to.equal('eventType=ObjectEventeventTime=2024-05-01T08:00:00.000ZeventTimeZoneOffset=+02:00'
      + 'epcListepc=https://id.gs1.org/01/10614141073464/21/2017epc=https://id.gs1.org/01/10614141073464/21/2018'
      + 'action=OBSERVEbizStep=https://ref.gs1.org/cbv/BizStep-receivingreadPointid=https://id.gs1.org/414/4012345000054'
      + '{https://ns.forgetrace.dev/epcis/}qty=2.5');
  });

  it('rounds timestamps to milliseconds (from microseconds, an exact half to even, across a second) and converts to UTC', () => {
    expect(normaliseTimestamp('2023-01-18T11:04:03.1415Z')).to.equal('2023-01-18T11:04:03.142Z');
    expect(normaliseTimestamp('2023-01-18T11:04:03.1414Z')).to.equal('2023-01-18T11:04:03.141Z');
    expect(normaliseTimestamp('2023-01-18T11:04:03.1425Z')).to.equal('2023-01-18T11:04:03.142Z');
    expect(normaliseTimestamp('2023-01-18T11:04:03.142501Z')).to.equal('2023-01-18T11:04:03.143Z');
    expect(normaliseTimestamp('2023-01-18T11:04:03.1424999Z')).to.equal('2023-01-18T11:04:03.142Z');
    expect(normaliseTimestamp('2023-12-31T23:59:59.9996-01:00')).to.equal('2024-01-01T01:00:00.000Z');
    expect(normaliseTimestamp('2023-01-18T11:04:03+05:30')).to.equal('2023-01-18T05:34:03.000Z');
  });

  it('converts EPC URIs and constrains Digital Link URIs; unknown forms stay', () => {
    expect(gs1CheckDigit('1061414107346')).to.equal('4');
    expect(epcUriToDigitalLink('urn:epc:id:sgtin:0614141.107346.2017')).to.equal('https://id.gs1.org/01/10614141073464/21/2017');
    expect(epcUriToDigitalLink('urn:epc:id:sscc:4012345.0000000333')).to.equal('https://id.gs1.org/00/040123450000003338');
    expect(epcUriToDigitalLink('urn:epc:id:sgln:4012345.00011.987')).to.equal('https://id.gs1.org/414/4012345000115/254/987');
    expect(epcUriToDigitalLink('urn:epc:id:grai:4012345.00022.334455')).to.equal('https://id.gs1.org/8003/04012345000221334455');
    expect(constrainDigitalLink('https://id.forgetrace.dev/01/09506000134352/10/PO-1/21/SN%201?linkType=all')).to.equal('https://id.gs1.org/01/09506000134352/21/SN%201');
    expect(constrainDigitalLink('https://id.forgetrace.dev/ft/part/PO-1001.1')).to.equal(undefined);
    expect(hashDigest(eventHash({ type: 'ObjectEvent' }))).to.match(/^[0-9a-f]{64}$/);
    expect(hashDigest('urn:uuid:1')).to.equal(undefined);
  });
});
