/**
 * A tiny chaincode that exercises the stub API; used only by the embedded ledger's tests.
 */
import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';

interface Iter {
  next(): Promise<{ value?: { key?: string; value?: Uint8Array; txId?: string; isDelete?: boolean; timestamp?: { seconds: unknown; nanos: number } }; done?: boolean }>;
  close(): Promise<void>;
}

const text = (bytes: Uint8Array | undefined): string => Buffer.from(bytes ?? new Uint8Array()).toString('utf8');

@Info({ title: 'Probe', description: 'embedded ledger test chaincode' })
export class ProbeContract extends Contract {
  constructor() {
    super('probe');
  }

  @Transaction()
  async Put(ctx: Context, key: string, value: string): Promise<void> {
    await ctx.stub.putState(key, Buffer.from(value));
  }

  @Transaction(false)
  @Returns('string')
  async Get(ctx: Context, key: string): Promise<string> {
    return text(await ctx.stub.getState(key));
  }

  @Transaction()
  async Del(ctx: Context, key: string): Promise<void> {
    await ctx.stub.deleteState(key);
  }

  /** Writes then reads the same key: Fabric returns the committed value. */
  @Transaction()
  @Returns('string')
  async PutThenGet(ctx: Context, key: string, value: string): Promise<string> {
    await ctx.stub.putState(key, Buffer.from(value));
    return text(await ctx.stub.getState(key));
  }

  @Transaction()
  @Returns('string')
  async Increment(ctx: Context, key: string): Promise<string> {
    const current = Number(text(await ctx.stub.getState(key)) || '0');
    await ctx.stub.putState(key, Buffer.from(String(current + 1)));
    return String(current + 1);
  }

  @Transaction()
  async PutComposite(ctx: Context, objectType: string, attributes: string, value: string): Promise<void> {
    await ctx.stub.putState(ctx.stub.createCompositeKey(objectType, JSON.parse(attributes) as string[]), Buffer.from(value));
  }

  @Transaction(false)
  @Returns('string')
  async ScanComposite(ctx: Context, objectType: string, attributes: string): Promise<string> {
    const out: string[][] = [];
    for await (const kv of ctx.stub.getStateByPartialCompositeKey(objectType, JSON.parse(attributes) as string[])) {
      out.push(ctx.stub.splitCompositeKey(kv.key).attributes);
    }
    return JSON.stringify(out);
  }

  /** Counts a partial composite key range, then adds a key: the range is in the read set. */
  @Transaction()
  @Returns('string')
  async CountAndAdd(ctx: Context, objectType: string, id: string): Promise<string> {
    let n = 0;
    const iterator = (await ctx.stub.getStateByPartialCompositeKey(objectType, [])) as unknown as Iter;
    for (let r = await iterator.next(); !r.done; r = await iterator.next()) n++;
    await iterator.close();
    await ctx.stub.putState(`count-${id}`, Buffer.from(String(n)));
    return String(n);
  }

  @Transaction(false)
  @Returns('string')
  async ScanRange(ctx: Context, start: string, end: string): Promise<string> {
    const keys: string[] = [];
    for await (const kv of ctx.stub.getStateByRange(start, end)) keys.push(kv.key);
    return JSON.stringify(keys);
  }

  @Transaction(false)
  @Returns('string')
  async Page(ctx: Context, start: string, end: string, pageSize: string, bookmark: string): Promise<string> {
    const { iterator, metadata } = await ctx.stub.getStateByRangeWithPagination(start, end, Number(pageSize), bookmark);
    const keys: string[] = [];
    const it = iterator as unknown as Iter;
    for (let r = await it.next(); !r.done; r = await it.next()) keys.push(r.value!.key!);
    await it.close();
    return JSON.stringify({ keys, bookmark: metadata.bookmark, fetched: metadata.fetchedRecordsCount });
  }

  @Transaction(false)
  @Returns('string')
  async PageComposite(ctx: Context, objectType: string, pageSize: string, bookmark: string): Promise<string> {
    const { iterator, metadata } = await ctx.stub.getStateByPartialCompositeKeyWithPagination(objectType, [], Number(pageSize), bookmark);
    const keys: string[][] = [];
    const it = iterator as unknown as Iter;
    for (let r = await it.next(); !r.done; r = await it.next()) keys.push(ctx.stub.splitCompositeKey(r.value!.key!).attributes);
    await it.close();
    return JSON.stringify({ keys, bookmark: metadata.bookmark, fetched: metadata.fetchedRecordsCount });
  }

  /** Paginated query followed by a write: Fabric refuses the write. */
  @Transaction()
  async PageThenWrite(ctx: Context): Promise<void> {
    await ctx.stub.getStateByRangeWithPagination('', '', 1, '');
    await ctx.stub.putState('after-page', Buffer.from('x'));
  }

  @Transaction(false)
  @Returns('string')
  async History(ctx: Context, key: string): Promise<string> {
    const out: Array<{ txId: string; isDelete: boolean; value: string; seconds: number }> = [];
    for await (const m of ctx.stub.getHistoryForKey(key)) {
      out.push({ txId: m.txId, isDelete: m.isDelete, value: text(m.value), seconds: Number(m.timestamp.seconds) });
    }
    return JSON.stringify(out);
  }

  @Transaction()
  async PutPrivate(ctx: Context, collection: string, key: string): Promise<void> {
    const value = ctx.stub.getTransient().get('value');
    if (!value) throw new Error(JSON.stringify({ code: 'PRIVATE_DATA_MISSING', message: 'transient field value is required', details: { field: 'value' } }));
    await ctx.stub.putPrivateData(collection, key, value);
  }

  @Transaction(false)
  @Returns('string')
  async GetPrivate(ctx: Context, collection: string, key: string): Promise<string> {
    return text(await ctx.stub.getPrivateData(collection, key));
  }

  @Transaction(false)
  @Returns('string')
  async GetPrivateHash(ctx: Context, collection: string, key: string): Promise<string> {
    return Buffer.from(await ctx.stub.getPrivateDataHash(collection, key)).toString('hex');
  }

  @Transaction()
  async Emit(ctx: Context, name: string, payload: string): Promise<void> {
    ctx.stub.setEvent('Overwritten', Buffer.from('first'));
    ctx.stub.setEvent(name, Buffer.from(payload));
    await ctx.stub.putState(`event-${name}`, Buffer.from(payload));
  }

  @Transaction(false)
  @Returns('string')
  async WhoAmI(ctx: Context): Promise<string> {
    const ts = ctx.stub.getTxTimestamp();
    return JSON.stringify({
      mspId: ctx.clientIdentity.getMSPID(),
      id: ctx.clientIdentity.getID(),
      role: ctx.clientIdentity.getAttributeValue('role'),
      enrollmentId: ctx.clientIdentity.getAttributeValue('hf.EnrollmentID'),
      peerMspId: ctx.stub.getMspID(),
      txId: ctx.stub.getTxID(),
      channel: ctx.stub.getChannelID(),
      seconds: Number(ts.seconds),
      nanos: ts.nanos,
      date: ctx.stub.getDateTimestamp().toISOString(),
    });
  }

  @Transaction(false)
  @Returns('string')
  async Proposal(ctx: Context): Promise<string> {
    const sp = ctx.stub.getSignedProposal() as unknown as {
      signature: Uint8Array;
      proposal: { header: { channelHeader: { getTxId(): string; getChannelId(): string }; signatureHeader: { creator: { getMspid(): string } } }; payload: { getTransientmapMap(): { getLength(): number } } };
    };
    return JSON.stringify({
      binding: ctx.stub.getBinding(),
      txId: ctx.stub.getTxID(),
      headerTxId: sp.proposal.header.channelHeader.getTxId(),
      headerChannel: sp.proposal.header.channelHeader.getChannelId(),
      creatorMsp: sp.proposal.header.signatureHeader.creator.getMspid(),
      transientEntries: sp.proposal.payload.getTransientmapMap().getLength(),
      signatureBytes: sp.signature.length,
    });
  }

  @Transaction()
  async Fail(_ctx: Context, code: string): Promise<void> {
    throw new Error(JSON.stringify({ code, message: `failed with ${code}`, details: { reason: 'test' } }));
  }

  @Transaction()
  async FailPlain(): Promise<void> {
    throw new Error('plain failure');
  }
}
