import { expect } from 'chai';
import { ChaincodeError, ERRORS, formatMessage, parseChaincodeError, type ErrorCode } from './errors';

describe('error catalogue', () => {
  it('uses upper-snake codes and templates whose fields are named', () => {
    for (const [code, template] of Object.entries(ERRORS)) {
      expect(code).to.match(/^[A-Z][A-Z_]+$/);
      expect(template.length).to.be.greaterThan(3);
      expect(template).not.to.match(/\{\s*\}/);
    }
  });

  it('fills every field of every template from details', () => {
    for (const code of Object.keys(ERRORS) as ErrorCode[]) {
      const fields = [...ERRORS[code].matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
      const details = Object.fromEntries(fields.map((f) => [f, `<${f}>`]));
      expect(formatMessage(code, details)).not.to.match(/\{\w+\}/);
    }
  });

  it('round-trips through the wire text, also when wrapped by Fabric', () => {
    const err = new ChaincodeError('NOT_FOUND', { kind: 'part', id: 'P-9' });
    const parsed = parseChaincodeError(`chaincode response 500, ${err.message}`);
    expect(parsed).to.deep.equal({ code: 'NOT_FOUND', message: 'part P-9 does not exist', details: { kind: 'part', id: 'P-9' } });
  });

  it('returns undefined for text that is not a chaincode error', () => {
    expect(parseChaincodeError('connection refused')).to.equal(undefined);
    expect(parseChaincodeError('{"code": broken')).to.equal(undefined);
  });
});
