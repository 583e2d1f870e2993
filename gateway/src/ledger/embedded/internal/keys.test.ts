import { expect } from 'chai';
import { describe, it } from 'mocha';
import { parseMemberPolicy } from './collections';
import { compareKeys, SortedKeys } from './keys';

describe('key order', () => {
  const samples = ['', 'a', 'b', 'ab', '\u0000', '\u0001', '\u007f', '\u0080', 'é', '中', '\uE000', '\uFFFD', '\uFFFF', '😀', '𝄞', 'a😀', 'a\uFFFD'];

  it('matches UTF-8 byte order for every pair, where JavaScript order does not', () => {
    let jsDisagrees = 0;
    for (const a of samples) {
      for (const b of samples) {
        const bytes = Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b)));
        expect(Math.sign(compareKeys(a, b)), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`).to.equal(bytes);
        if (Math.sign(a < b ? -1 : a > b ? 1 : 0) !== bytes) jsDisagrees++;
      }
    }
    expect(jsDisagrees).to.be.greaterThan(0);
  });

  it('scans half-open ranges; an empty end is unbounded', () => {
    const keys = new SortedKeys();
    for (const k of ['b', '😀', 'a', '\uFFFD', 'c', 'b']) keys.add(k);
    expect(keys.size).to.equal(5);
    expect([...keys.range('a', 'c')]).to.deep.equal(['a', 'b']);
    expect([...keys.range('b', '')]).to.deep.equal(['b', 'c', '\uFFFD', '😀']);
    keys.remove('b');
    expect([...keys.range('', '')]).to.deep.equal(['a', 'c', '\uFFFD', '😀']);
  });

  it('reads collection membership from OR policies and refuses other forms', () => {
    expect(parseMemberPolicy("OR('Org1MSP.member','Org2MSP.peer')")).to.deep.equal(['Org1MSP', 'Org2MSP']);
    expect(parseMemberPolicy("'Org1MSP.member'")).to.deep.equal(['Org1MSP']);
    expect(() => parseMemberPolicy("AND('Org1MSP.member','Org2MSP.member')")).to.throw(/not an OR/);
  });
});
