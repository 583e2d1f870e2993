import { expect } from 'chai';
import express from 'express';
import pino from 'pino';
import request from 'supertest';
import { Writable } from 'node:stream';
import { checkResponses } from '../server';
import * as R from './responses';

const stamp = { txId: 'a'.repeat(64), at: '2026-11-28T10:00:00Z', mspId: 'Org1MSP' };
const anchor = { id: 'A1', kind: 'schedule', merkleRoot: 'b'.repeat(64), leafCount: 3, algorithm: 'lp-ga', algorithmVersion: '1', inputHash: 'c'.repeat(64), window: { from: '2026-11-28T00:00:00Z', to: '2026-11-29T00:00:00Z' }, submitter: 'Org1MSP', recorded: stamp };

describe('response checking against the API description', () => {
  function app(body: unknown, status = 200) {
    const lines: string[] = [];
    const logger = pino({ level: 'error' }, new Writable({ write: (chunk, _enc, cb) => { lines.push(String(chunk)); cb(); } }));
    const a = express();
    a.get('/x', checkResponses(R.anchor, 'GET /v1/anchors/:anchorId', logger), (_req, res) => void res.status(status).json(body));
    return { a, lines };
  }

  it('lets a body that matches its schema through unchanged', async () => {
    const { a, lines } = app(anchor);
    const r = await request(a).get('/x').expect(200);
    expect(r.body).to.deep.equal(anchor);
    expect(lines).to.deep.equal([]);
  });

  it('answers 500 with a problem instead of a body with an undescribed field, and logs the field', async () => {
    const { a, lines } = app({ ...anchor, privateNote: 'do not leak' });
    const r = await request(a).get('/x').expect(500);
    expect(r.headers['content-type']).to.match(/^application\/problem\+json/);
    expect(r.body).to.include({ code: 'INTERNAL', status: 500 });
    expect(r.body.detail).to.match(/GET \/v1\/anchors\/:anchorId .*does not match the API description/);
    expect(JSON.stringify(r.body)).to.not.contain('do not leak');
    expect(lines.join('')).to.match(/response does not match its schema/).and.match(/privateNote/);
  });

  it('answers 500 for a wrongly typed field, and leaves error responses alone', async () => {
    await request(app({ ...anchor, leafCount: 'three' }).a).get('/x').expect(500);
    const r = await request(app({ code: 'NOT_FOUND' }, 404).a).get('/x').expect(404);
    expect(r.body).to.deep.equal({ code: 'NOT_FOUND' });
  });
});
