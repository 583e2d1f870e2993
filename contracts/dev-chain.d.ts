/** A running local chain (see dev-chain.js). */
export interface DevChain {
  /** JSON-RPC URL on 127.0.0.1. */
  readonly url: string;
  readonly chainId: number;
  /** Stop the JSON-RPC server. */
  close(): Promise<void>;
}

/** Start Hardhat's simulated chain behind a JSON-RPC server on 127.0.0.1 (port 0 = a free port). */
export declare function startDevChain(options?: { hostname?: string; port?: number; chainId?: number }): Promise<DevChain>;
