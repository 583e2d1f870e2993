/** Private data collection definitions (Fabric's collections_config.json shape). */

/** One entry of a Fabric `collections_config.json`. */
export interface CollectionConfig {
  readonly name: string;
  /** Membership policy, e.g. `OR('Org1MSP.member','Org2MSP.member')`. */
  readonly policy: string;
  readonly requiredPeerCount?: number;
  readonly maxPeerCount?: number;
  /** Blocks after which private values are purged; 0 keeps them forever. */
  readonly blockToLive?: number;
  readonly memberOnlyRead?: boolean;
  readonly memberOnlyWrite?: boolean;
}

export interface ResolvedCollection {
  readonly config: CollectionConfig;
  readonly members: ReadonlySet<string>;
}

/**
 * The MSP IDs named by a membership policy. Only the forms Fabric collection policies use
 * in practice are accepted: `OR('A.member', 'B.peer', …)` or a single `'A.member'`.
 * @throws Error for other policy forms (AND, OutOf), which a membership list cannot express.
 */
export function parseMemberPolicy(policy: string): string[] {
  const text = policy.trim();
  const inner = /^OR\s*\((.*)\)$/s.exec(text)?.[1] ?? text;
  const members: string[] = [];
  for (const part of inner.split(',')) {
    const m = /^\s*'([^'.]+)\.(member|peer|client|admin|orderer)'\s*$/.exec(part);
    if (!m) throw new Error(`collection policy ${JSON.stringify(policy)} is not an OR of principals`);
    members.push(m[1]!);
  }
  return members;
}

export function resolveCollections(configs: readonly CollectionConfig[]): Map<string, ResolvedCollection> {
  const map = new Map<string, ResolvedCollection>();
  for (const config of configs) {
    if (map.has(config.name)) throw new Error(`collection ${config.name} is defined twice`);
    map.set(config.name, { config, members: new Set(parseMemberPolicy(config.policy)) });
  }
  return map;
}
