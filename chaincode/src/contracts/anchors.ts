import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { canonicalJson } from '../internal/canonical';
import { KEY } from '../internal/keys';
import { ALL_MEMBER_KINDS, assertAbsent, callerMember, getAnchor, stamp } from '../internal/records';
import { Tx } from '../internal/tx';
import { requireRole } from '../rules/access';
import * as S from '../schemas';
import { EVENTS, type Anchor } from '../types';

/** Immutable anchors of off-chain results: a Merkle root and how it was produced. */
@Info({ title: 'Anchors', description: 'Merkle anchors of off-chain results' })
export class AnchorsContract extends Contract {
  constructor() {
    super('anchors');
  }

  /**
   * Anchor a batch of off-chain results. Anchors are never changed or deleted.
   * @throws NOT_A_MEMBER, ACCESS_DENIED, ALREADY_EXISTS, INVALID_INPUT
   */
  @Transaction()
  @Returns('string')
  async CreateAnchor(ctx: Context, input: string): Promise<string> {
    const tx = new Tx(ctx);
    const data = S.parseArg(S.anchorInput, 'input', input);
    requireRole(tx.caller, ['admin', 'factory_operator', 'buyer'], 'CreateAnchor');
    await callerMember(tx, ALL_MEMBER_KINDS, 'CreateAnchor');
    const key = tx.key(KEY.anchor, data.id);
    await assertAbsent(tx, key, 'anchor', data.id);
    const anchor: Anchor = { ...data, submitter: tx.caller.id, recorded: stamp(tx) };
    await tx.putJson(key, anchor);
    await tx.putIndex(tx.key(KEY.anchorByKind, anchor.kind, anchor.recorded.at, anchor.id));
    tx.emit(EVENTS.AnchorCreated, { anchorId: anchor.id, kind: anchor.kind, merkleRoot: anchor.merkleRoot, leafCount: anchor.leafCount });
    return canonicalJson(anchor);
  }

  /** One anchor. @throws NOT_FOUND */
  @Transaction(false)
  @Returns('string')
  async GetAnchor(ctx: Context, anchorId: string): Promise<string> {
    return canonicalJson(await getAnchor(new Tx(ctx), S.parseValue(S.id, 'anchorId', anchorId)));
  }

  /** Anchors of one kind in time order, optionally within [from, to], at most `limit`. */
  @Transaction(false)
  @Returns('string')
  async ListAnchors(ctx: Context, kind: string, options: string): Promise<string> {
    const tx = new Tx(ctx);
    const k = S.parseValue(S.anchorInput.shape.kind, 'kind', kind);
    const opts = S.parseArg(S.listOptions, 'options', options || '{}');
    const out: Anchor[] = [];
    for (const row of await tx.scan<unknown>(KEY.anchorByKind, [k])) {
      const at = row.attributes[1]!;
      if ((opts.from && at < opts.from) || (opts.to && at > opts.to)) continue;
      out.push(await getAnchor(tx, row.attributes[2]!));
      if (out.length >= opts.limit) break;
    }
    return canonicalJson(out);
  }
}
