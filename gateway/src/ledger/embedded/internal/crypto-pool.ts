/** Client of the crypto worker: batches sign/verify requests made in the same tick. */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { CryptoRequest, CryptoResponse } from './crypto-worker';

const CHUNK = 16;

type Pending = { resolve: (r: CryptoResponse) => void; reject: (e: Error) => void };
type Request = CryptoRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

export class CryptoPool {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private batch: CryptoRequest[] = [];
  private nextId = 1;
  private failed: Error | undefined;

  constructor() {
    this.worker = new Worker(join(__dirname, 'crypto-worker.js'));
    this.worker.unref();
    this.worker.on('message', (responses: CryptoResponse[]) => {
      for (const r of responses) {
        const p = this.pending.get(r.id);
        this.pending.delete(r.id);
        p?.resolve(r);
      }
      if (this.pending.size === 0) this.worker.unref();
    });
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', (code) => this.fail(new Error(`crypto worker exited with code ${code}`)));
  }

  run(request: Request): Promise<CryptoResponse> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.nextId++;
    return new Promise<CryptoResponse>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (this.batch.length === 0) setImmediate(() => this.flush());
      this.batch.push({ ...request, id } as CryptoRequest);
    });
  }

  async close(): Promise<void> {
    this.failed ??= new Error('crypto pool closed');
    await this.worker.terminate();
  }

  private flush(): void {
    const batch = this.batch;
    this.batch = [];
    if (batch.length === 0) return;
    this.worker.ref();
    // Small chunks stream results back while the worker goes on, keeping both threads busy.
    for (let i = 0; i < batch.length; i += CHUNK) this.worker.postMessage(batch.slice(i, i + CHUNK));
  }

  private fail(err: Error): void {
    this.failed ??= err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
