/**
 * Worker thread of a parallel solve: runs one island of the GA/tabu search (see
 * `island-pool.ts`), posting its improvements and, at the end, its best chromosome.
 */
import { receiveMessageOnPort, workerData } from 'node:worker_threads';
import type { Chromosome } from './decoder';
import type { IslandMessage, IslandWorkerData } from './island-pool';
import { compileProblem } from './model';
import { runIsland } from './solver';

const data = workerData as IslandWorkerData;
const signal = new Int32Array(data.signal);
const post = (m: IslandMessage): void => data.port.postMessage(m);
try {
  const deadline = performance.now() + data.remainingMs;
  Atomics.store(signal, 2, 1);
  const r = runIsland(compileProblem(data.problem), data.options, data.lp, { seed: data.seed, lbBest: data.lbBest, canStopAtBound: data.canStopAtBound, deadline }, {
    stop: () => Atomics.load(signal, 0) !== 0,
    exchange: (best) => {
      if (best) post({ kind: 'best', seq: best.seq, asg: best.asg, obj: best.obj });
      const got: Chromosome[] = [];
      for (let m = receiveMessageOnPort(data.port); m; m = receiveMessageOnPort(data.port)) {
        const msg = m.message as IslandMessage;
        if (msg.kind === 'best') got.push(msg);
      }
      return got;
    },
  });
  post({ kind: 'done', seq: r.best.seq, asg: r.best.asg, obj: r.best.obj, stats: { generations: r.generations, tabuIterations: r.tabuIterations, decodes: r.decodes, restarts: r.restarts } });
} catch (e) {
  post({ kind: 'failed', message: (e as Error).message ?? String(e) });
}
Atomics.store(signal, 1, 1);
Atomics.notify(signal, 1);
data.port.close();
