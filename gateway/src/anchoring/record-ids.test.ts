import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { formatRecordId, MAX_ORDINAL, recordOrdinal } from './record-ids';

describe('outbox record ids', () => {
  const ms = Date.UTC(2026, 2, 1, 10, 0, 0, 123);

  it('are version 7 UUIDs with the creation time in the first 48 bits', () => {
    const id = formatRecordId(ms, 1, 0x3ffffff);
    expect(id).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).to.equal(ms);
  });

  it('carry the ordinal, which recordOrdinal reads back, and random bits that do not touch it', () => {
    for (const ordinal of [0, 1, 2 ** 22 - 1, 2 ** 22, 2 ** 26 + 5, 2 ** 36 - 1, 2 ** 36, 123_456_789_012, MAX_ORDINAL - 1]) {
      for (const random of [0, 1, 0x2aaaaaa, 0x3ffffff, 0xffffffff]) {
        expect(recordOrdinal(formatRecordId(ms, ordinal, random)), `${ordinal}/${random}`).to.equal(ordinal);
      }
    }
    expect(formatRecordId(ms, 5, 1)).not.to.equal(formatRecordId(ms, 5, 2));
    expect(formatRecordId(ms, 5, 1)).to.equal(formatRecordId(ms, 5, 1 + 2 ** 26));
    expect(formatRecordId(ms, 5, 1) < formatRecordId(ms, 6, 0)).to.equal(true);
  });

  it('are told apart from other UUIDs', () => {
    expect(recordOrdinal(randomUUID())).to.equal(undefined);
    expect(recordOrdinal(formatRecordId(ms, 9, 9).toUpperCase())).to.equal(undefined);
    expect(recordOrdinal('no-such-record')).to.equal(undefined);
  });

  it('refuse a time or an ordinal that does not fit', () => {
    expect(() => formatRecordId(-1, 1, 0)).to.throw(RangeError);
    expect(() => formatRecordId(2 ** 48, 1, 0)).to.throw(RangeError);
    expect(() => formatRecordId(ms, MAX_ORDINAL, 0)).to.throw(RangeError);
    expect(() => formatRecordId(Number.NaN, 1, 0)).to.throw(RangeError);
  });
});
