/** Object types of the composite keys ForgeTrace writes, and the indexes beside them. */
export const KEY = {
  consortium: 'consortium',
  member: 'org',
  machine: 'machine',
  machineEvent: 'machine~event',
  machineByOwner: 'machine~owner',
  lot: 'lot',
  lotEvent: 'lot~event',
  order: 'order',
  part: 'part',
  partEvent: 'part~event',
  consumedBy: 'component~parent',
  job: 'job',
  jobByPartOp: 'job~part~op',
  jobByFactory: 'job~factory',
  twin: 'twin',
  twinByMachine: 'twin~machine',
  anchor: 'anchor',
  anchorByKind: 'anchor~kind',
} as const;

/** Zero-padded decimal so that sequence numbers sort in key order. */
export function seqKey(n: number): string {
  return n.toString().padStart(8, '0');
}
