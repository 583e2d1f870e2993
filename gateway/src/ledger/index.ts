/** The ledger port and its embedded adapter. */
export * from './port';
export * from './embedded';
