/**
 * On-disk layout of an embedded ledger directory:
 *
 * - `blocks.jsonl`  one canonical-JSON block per line, hash-chained;
 * - `private.jsonl` one line per block that wrote private data (the values, which blocks
 *   only hold hashes of), each with its own hash;
 * - `LOCK`          the PID of the process that has the directory open.
 *
 * Appends are synchronous and (optionally) fdatasync'ed before a block counts as committed.
 */
import { closeSync, existsSync, fdatasyncSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { LedgerCorruptedError, LedgerLockedError } from '../errors';
import type { Block, BlockTransaction } from '../types';
import { useNodeCrypto } from '@forgetrace/verifier/node';
import { blockDataHash, blockHeaderHash, canonicalJson as canonicalJsonOfBundles, transactionDigest, transactionHash, type EvidenceTransaction, type TransactionDigest } from '@forgetrace/verifier';
import { canonicalJson, sha256Hex } from './canonical';

/** Private values written by the valid transactions of one block. */
export interface PrivateRecord {
  readonly blockNumber: number;
  readonly entries: ReadonlyArray<{
    readonly txNum: number;
    readonly collection: string;
    readonly key: string;
    readonly isDelete: boolean;
    /** base64 */
    readonly value: string;
  }>;
}

export const BLOCK_FILE = 'blocks.jsonl';
export const PRIVATE_FILE = 'private.jsonl';
export const LOCK_FILE = 'LOCK';

/** A block's hash, as `@forgetrace/verifier` recomputes it. */
export function blockHash(header: Block['header']): string {
  return blockHeaderHash(header);
}

/** JSON text of transaction data, kept from hashing to writing so it is built once. */
const dataText = new WeakMap<Block['data'], string>();
/** Transaction hashes of format-2 transaction data. */
const txHashes = new WeakMap<Block['data'], readonly string[]>();

/**
 * Hash of block data. Config data is canonicalised; transaction data is built in key order.
 * Format-2 transaction data hashes to SHA-256 over its transactions' hashes (each over the
 * transaction's digest form), so that one transaction can be proven to be in its block without
 * the rest of the block.
 */
export function dataHash(data: Block['data'], format?: 2): string {
  if (data.kind === 'config') return sha256Hex(canonicalJsonOfBundles(data));
  if (format !== 2) {
    const text = JSON.stringify(data);
    dataText.set(data, text);
    return sha256Hex(text);
  }
  const text = JSON.stringify(data);
  const hashes = data.transactions.map(txHash);
  dataText.set(data, text);
  txHashes.set(data, hashes);
  return blockDataHash(hashes);
}

/** Digests computed while the transaction was signed, so that committing does not compute them again. */
const digests = new WeakMap<BlockTransaction, TransactionDigest>();

/** Keep the digest the ledger computed for `tx` (it must be `transactionDigest(tx)`). */
export function rememberDigest(tx: BlockTransaction, digest: TransactionDigest): void {
  digests.set(tx, digest);
}

/** A transaction's hash in a format-2 block: over its digest form (`@forgetrace/verifier`). */
function txHash(tx: BlockTransaction): string {
  return transactionHash(digests.get(tx) ?? transactionDigest(tx as unknown as EvidenceTransaction));
}

// The ledger hashes every write it commits: give the verifier's functions Node's native hashing.
useNodeCrypto();

/** SHA-256 (hex) of each transaction of a block, in order (the data hash of a format-2 block is over these). */
export function transactionHashes(block: Block): readonly string[] {
  if (block.data.kind === 'config') return [];
  let hashes = txHashes.get(block.data);
  if (!hashes) {
    hashes = block.data.transactions.map(txHash);
    txHashes.set(block.data, hashes);
  }
  return hashes;
}

/** Canonical JSON text of a block (see {@link dataHash} for the transaction fast path). */
function blockLine(block: Block): string {
  if (block.data.kind === 'config') return canonicalJson(block);
  const data = dataText.get(block.data) ?? JSON.stringify(block.data);
  const { dataHash: dh, format, number, previousHash } = block.header;
  const formatField = format === undefined ? '' : `"format":${format},`;
  const signature = block.signature ? `,"signature":${canonicalJson(block.signature)}` : '';
  return `{"data":${data},"hash":${JSON.stringify(block.hash)},"header":{"dataHash":${JSON.stringify(dh)},${formatField}"number":${number},"previousHash":${JSON.stringify(previousHash)}}${signature}}`;
}

export class LedgerFiles {
  private blockFd: number | undefined;
  private privateFd: number | undefined;
  private blockHandle: FileHandle | undefined;
  private privateHandle: FileHandle | undefined;

  private constructor(
    readonly directory: string,
    private readonly fsync: boolean,
  ) {}

  get blockPath(): string {
    return join(this.directory, BLOCK_FILE);
  }

  get privatePath(): string {
    return join(this.directory, PRIVATE_FILE);
  }

  /** Create the directory if needed and take its lock. @throws LedgerLockedError */
  static open(directory: string, fsync: boolean): LedgerFiles {
    mkdirSync(directory, { recursive: true });
    acquireLock(directory);
    return new LedgerFiles(directory, fsync);
  }

  /** Read and verify every block. @throws LedgerCorruptedError */
  readBlocks(): Block[] {
    const file = this.blockPath;
    const lines = readLines(file, (index, reason) => new LedgerCorruptedError(index, file, reason));
    const blocks: Block[] = [];
    let previousHash = '';
    lines.forEach((line, index) => {
      const fail = (reason: string): never => {
        throw new LedgerCorruptedError(index, file, reason);
      };
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        fail('record is not valid JSON');
      }
      if (canonicalJson(parsed) !== line) fail('record is not in canonical form');
      const block = parsed as Block;
      const keys = Object.keys(block).sort().join(',');
      if ((keys !== 'data,hash,header' && keys !== 'data,hash,header,signature') || typeof block.header !== 'object' || block.header === null) fail('record is not a block');
      if (block.header.format !== undefined && block.header.format !== 2) fail(`unknown block format ${String(block.header.format)}`);
      const { number, previousHash: prev } = block.header;
      if (number !== index) fail(`block number ${String(number)} found where ${index} was expected`);
      if (prev !== previousHash) fail('previous hash does not match the preceding block');
      if (dataHash(block.data, block.header.format) !== block.header.dataHash) fail('data hash does not match the block data');
      if (blockHash(block.header) !== block.hash) fail('block hash does not match the block header');
      const kind = (block.data as { kind?: unknown } | null)?.kind;
      if (kind !== 'config' && kind !== 'transactions') fail('unknown block kind');
      previousHash = block.hash;
      blocks.push(block);
    });
    return blocks;
  }

  /**
   * Read and verify private data records for blocks below `height`. Records of blocks at or
   * above it were written by a commit that never completed; they are dropped from the file.
   * @throws LedgerCorruptedError
   */
  readPrivate(height: number): Map<number, PrivateRecord> {
    const file = this.privatePath;
    const lines = readLines(file, (index, reason) => new LedgerCorruptedError(index, file, `record ${index}: ${reason}`));
    const records = new Map<number, PrivateRecord>();
    let dropped = false;
    lines.forEach((line, index) => {
      const fail = (reason: string): never => {
        throw new LedgerCorruptedError(index, file, `record ${index}: ${reason}`);
      };
      let parsed: { record?: PrivateRecord; hash?: unknown };
      try {
        parsed = JSON.parse(line) as typeof parsed;
      } catch {
        return fail('record is not valid JSON');
      }
      const record = parsed.record;
      if (!record || typeof record.blockNumber !== 'number' || !Array.isArray(record.entries)) return fail('record is not a private data record');
      if (canonicalJson(parsed) !== line || sha256Hex(canonicalJson(record)) !== parsed.hash) {
        throw new LedgerCorruptedError(record.blockNumber, file, `record ${index}: hash does not match its content`);
      }
      if (record.blockNumber >= height) {
        dropped = true;
        return;
      }
      records.set(record.blockNumber, record);
    });
    if (dropped) {
      const tmp = `${file}.tmp`;
      writeFileSync(tmp, [...records.values()].map((r) => privateLine(r) + '\n').join(''));
      renameSync(tmp, file);
    }
    return records;
  }

  /** Append a block (and its private values first), durably when fsync is on. */
  append(block: Block, privateRecord: PrivateRecord | undefined): void {
    if (privateRecord && privateRecord.entries.length > 0) {
      this.privateFd ??= openSync(this.privatePath, 'a');
      writeAll(this.privateFd, privateLine(privateRecord) + '\n');
      if (this.fsync) fdatasyncSync(this.privateFd);
    }
    this.blockFd ??= openSync(this.blockPath, 'a');
    writeAll(this.blockFd, blockLine(block) + '\n');
    if (this.fsync) fdatasyncSync(this.blockFd);
  }

  /**
   * Append blocks (each block's private values first) with one sync per file for the
   * whole group, without blocking the event loop.
   */
  async appendMany(items: ReadonlyArray<{ readonly block: Block; readonly privateRecord: PrivateRecord | undefined }>): Promise<void> {
    const privateText = items
      .map((i) => i.privateRecord)
      .filter((r): r is PrivateRecord => r !== undefined && r.entries.length > 0)
      .map((r) => privateLine(r) + '\n')
      .join('');
    if (privateText !== '') {
      this.privateHandle ??= await open(this.privatePath, 'a');
      await this.privateHandle.appendFile(privateText);
      if (this.fsync) await this.privateHandle.datasync();
    }
    this.blockHandle ??= await open(this.blockPath, 'a');
    await this.blockHandle.appendFile(items.map((i) => blockLine(i.block) + '\n').join(''));
    if (this.fsync) await this.blockHandle.datasync();
  }

  /** Close the files (also those opened by {@link appendMany}) and release the lock. */
  async closeAsync(): Promise<void> {
    await this.blockHandle?.close();
    await this.privateHandle?.close();
    this.blockHandle = this.privateHandle = undefined;
    this.close();
  }

  /** Close the files and release the lock. */
  close(): void {
    if (this.blockFd !== undefined) closeSync(this.blockFd);
    if (this.privateFd !== undefined) closeSync(this.privateFd);
    this.blockFd = this.privateFd = undefined;
    releaseLock(this.directory);
  }
}

function privateLine(record: PrivateRecord): string {
  return canonicalJson({ hash: sha256Hex(canonicalJson(record)), record });
}

function writeAll(fd: number, text: string): void {
  const buf = Buffer.from(text);
  let off = 0;
  while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
}

function readLines(file: string, error: (index: number, reason: string) => Error): string[] {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8');
  if (text === '') return [];
  const lines = text.split('\n');
  const last = lines.pop();
  // A record always ends with a newline: anything after the last one is a torn write.
  if (last !== '') throw error(lines.length, 'the last record is truncated (no end of line)');
  lines.forEach((line, i) => {
    if (line === '') throw error(i, 'empty record');
  });
  return lines;
}

function acquireLock(directory: string): void {
  const lock = join(directory, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number.parseInt(readFileSync(lock, 'utf8'), 10);
      if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) throw new LedgerLockedError(directory, pid);
      // The holder died without closing: the lock is stale.
      unlinkSync(lock);
    }
  }
  throw new LedgerLockedError(directory, -1);
}

function releaseLock(directory: string): void {
  const lock = join(directory, LOCK_FILE);
  try {
    if (readFileSync(lock, 'utf8') === String(process.pid)) unlinkSync(lock);
  } catch {
    // already gone
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
