/**
 * Worker thread for ECDSA signing and verification. Node's one-shot crypto calls cost
 * 50–120 µs of main-thread time each even in callback form; batching them to a worker
 * keeps the event loop free for chaincode execution. Keys are parsed once per PEM.
 */
import { createPrivateKey, sign, verify, X509Certificate, type KeyObject } from 'node:crypto';
import { parentPort } from 'node:worker_threads';

export type CryptoRequest =
  | { readonly id: number; readonly op: 'sign'; readonly pem: string; readonly data: Uint8Array }
  | { readonly id: number; readonly op: 'verify'; readonly pem: string; readonly data: Uint8Array; readonly signature: Uint8Array };

export type CryptoResponse = { readonly id: number; readonly ok: boolean; readonly signature?: Uint8Array; readonly error?: string };

const keys = new Map<string, KeyObject>();

function keyOf(op: 'sign' | 'verify', pem: string): KeyObject {
  let key = keys.get(pem);
  if (!key) {
    key = op === 'sign' ? createPrivateKey(pem) : new X509Certificate(pem).publicKey;
    if (keys.size > 4096) keys.clear();
    keys.set(pem, key);
  }
  return key;
}

export function handle(request: CryptoRequest): CryptoResponse {
  try {
    if (request.op === 'sign') return { id: request.id, ok: true, signature: sign('sha256', request.data, keyOf('sign', request.pem)) };
    return { id: request.id, ok: verify('sha256', request.data, keyOf('verify', request.pem), request.signature) };
  } catch (err) {
    return { id: request.id, ok: false, error: (err as Error).message };
  }
}

parentPort?.on('message', (batch: CryptoRequest[]) => {
  parentPort!.postMessage(batch.map(handle));
});
