/**
 * Private data collections for commercial terms: one per (buyer, factory) pair, holding
 * only those two organisations. The chaincode ships `collections_config.json` built by
 * {@link buildCollectionsConfig} for the organisations it is deployed with.
 */

/** Name of the collection holding the terms between `buyerMsp` and `factoryMsp`. */
export function termsCollection(buyerMsp: string, factoryMsp: string): string {
  return `terms-${buyerMsp}-${factoryMsp}`;
}

/** One entry of Fabric's collections_config.json. */
export interface CollectionConfig {
  readonly name: string;
  readonly policy: string;
  readonly requiredPeerCount: number;
  readonly maxPeerCount: number;
  readonly blockToLive: number;
  readonly memberOnlyRead: boolean;
  readonly memberOnlyWrite: boolean;
}

/**
 * Collections for every ordered pair (buyer-capable org, factory org) of distinct members.
 * Buyers and factories can both order parts; only factories produce them.
 */
export function buildCollectionsConfig(members: ReadonlyArray<{ mspId: string; role: string }>): CollectionConfig[] {
  const buyers = members.filter((m) => m.role === 'buyer' || m.role === 'factory').map((m) => m.mspId).sort();
  const factories = members.filter((m) => m.role === 'factory').map((m) => m.mspId).sort();
  const out: CollectionConfig[] = [];
  for (const buyer of buyers) {
    for (const factory of factories) {
      if (buyer === factory) continue;
      out.push({
        name: termsCollection(buyer, factory),
        policy: `OR('${buyer}.member','${factory}.member')`,
        requiredPeerCount: 0,
        maxPeerCount: 1,
        blockToLive: 0,
        memberOnlyRead: true,
        memberOnlyWrite: true,
      });
    }
  }
  return out;
}
