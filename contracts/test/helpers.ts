// Shared fixtures and builders of the OrderEscrow tests: deterministic attestor keys, milestone
// records in an OpenZeppelin StandardMerkleTree, EIP-712 attestations and funded orders.
import { createHash } from 'node:crypto';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { ethers as E } from 'ethers';
import type { HardhatEthers, HardhatEthersSigner } from '@nomicfoundation/hardhat-ethers/types';

export const LEAF_ENCODING = ['string', 'bytes32'];
export const DAY = 24 * 60 * 60;
export const BPS = 10_000n;

/** Milestone kinds, as the contract's enum numbers them. */
export const Kind = { Accepted: 0, Produced: 1, QcPassed: 2, Delivered: 3 } as const;
/** Milestone statuses, as the contract's enum numbers them. */
export const Status = { None: 0n, Pending: 1n, Disputed: 2n, Released: 3n, Refunded: 4n, Resolved: 5n } as const;

export const ATTESTATION_TYPES = {
  Attestation: [
    { name: 'orderId', type: 'bytes32' },
    { name: 'nonce', type: 'uint64' },
    { name: 'milestone', type: 'uint8' },
    { name: 'ledgerTxId', type: 'bytes32' },
    { name: 'anchorRoot', type: 'bytes32' },
    { name: 'recordLeaf', type: 'bytes32' },
  ],
};

/** A deterministic wallet for `label` (tests must not depend on random keys). */
export function wallet(label: string): E.Wallet {
  return new E.Wallet(E.keccak256(E.toUtf8Bytes(`forgetrace-test:${label}`)));
}

/** `count` attestor wallets sorted by ascending address, as `release` wants their signatures. */
export function attestorWallets(count: number): E.Wallet[] {
  return Array.from({ length: count }, (_, i) => wallet(`attestor-${i}`)).sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1));
}

export const sha256Hex = (text: string): string => '0x' + createHash('sha256').update(text, 'utf8').digest('hex');
export const orderKey = (ledgerOrderId: string): string => E.keccak256(E.toUtf8Bytes(ledgerOrderId));

export interface Evidence {
  ledgerTxId: string;
  anchorRoot: string;
  recordId: string;
  payloadHash: string;
  proof: string[];
}

/**
 * An anchored batch with one milestone record per `(orderId, milestone)` plus `filler` other records,
 * and the evidence of each milestone.
 */
export function anchoredBatch(milestones: ReadonlyArray<{ orderId: string; milestone: number }>, filler = 3): { root: string; evidence: Evidence[]; tree: StandardMerkleTree<[string, string]> } {
  const records = milestones.map(({ orderId, milestone }) => {
    const ledgerTxId = sha256Hex(`tx:${orderId}:${milestone}`);
    return { recordId: `rec-${orderId.slice(2, 10)}-${milestone}`, ledgerTxId, payloadHash: sha256Hex(JSON.stringify({ ledgerTxId, milestone, orderId })) };
  });
  const values: [string, string][] = records.map((r) => [r.recordId, r.payloadHash]);
  for (let i = 0; i < filler; ++i) values.push([`filler-${i}`, sha256Hex(`filler-${i}`)]);
  const tree = StandardMerkleTree.of(values, LEAF_ENCODING);
  const evidence = records.map((r, i) => ({ ledgerTxId: r.ledgerTxId, anchorRoot: tree.root, recordId: r.recordId, payloadHash: r.payloadHash, proof: tree.getProof(i) }));
  return { root: tree.root, evidence, tree };
}

/** The leaf of a record, as the contract computes it. */
export function leafOf(evidence: Evidence): string {
  return E.keccak256(E.concat([E.keccak256(E.AbiCoder.defaultAbiCoder().encode(LEAF_ENCODING, [evidence.recordId, evidence.payloadHash]))]));
}

export interface Domain {
  name: string;
  version: string;
  chainId: bigint;
  verifyingContract: string;
}

/** One attestor's EIP-712 signature of a milestone attestation. */
export async function sign(signer: E.Wallet, domain: Domain, orderId: string, nonce: bigint, milestone: number, evidence: Evidence): Promise<string> {
  return signer.signTypedData(domain, ATTESTATION_TYPES, { orderId, nonce, milestone, ledgerTxId: evidence.ledgerTxId, anchorRoot: evidence.anchorRoot, recordLeaf: leafOf(evidence) });
}

/** Signatures of `signers` (kept in the given order). */
export async function signAll(signers: readonly E.Wallet[], domain: Domain, orderId: string, nonce: bigint, milestone: number, evidence: Evidence): Promise<string[]> {
  return Promise.all(signers.map((s) => sign(s, domain, orderId, nonce, milestone, evidence)));
}

/** Latest block time. */
export async function now(ethers: HardhatEthers): Promise<number> {
  const block = await ethers.provider.getBlock('latest');
  return block!.timestamp;
}

export type Signer = HardhatEthersSigner;
