/** Errors specific to the embedded ledger's storage. */

/**
 * The ledger directory holds a block or private data file that fails verification
 * (truncated record, bad JSON, broken hash chain, data hash mismatch, missing private
 * data). The ledger refuses to open rather than serve partial or altered history.
 */
export class LedgerCorruptedError extends Error {
  override readonly name = 'LedgerCorruptedError';
  constructor(
    /** Number of the first block (or private data record's block) that failed. */
    readonly blockNumber: number,
    /** Path of the file that failed. */
    readonly file: string,
    /** What was wrong. */
    readonly reason: string,
  ) {
    super(`ledger file ${file} is corrupted at block ${blockNumber}: ${reason}`);
  }
}

/** Another live process (or this one) has the ledger directory open. */
export class LedgerLockedError extends Error {
  override readonly name = 'LedgerLockedError';
  constructor(
    readonly directory: string,
    /** PID recorded in the lock file. */
    readonly pid: number,
  ) {
    super(`ledger directory ${directory} is already open (lock held by pid ${pid})`);
  }
}
