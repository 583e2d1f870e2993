/**
 * Runs autocannon in a worker thread, so the load generator does not share the event loop
 * of the server it measures. workerData: { options, jobStarts?: { count, apiKey } }.
 */
import { parentPort, workerData } from 'node:worker_threads';
import autocannon from 'autocannon';

interface Job {
  readonly options: autocannon.Options;
  /** POST /v1/jobs/WJ-<i>/start for i in 0..count-1, each with its own idempotency key. */
  readonly jobStarts?: { readonly count: number; readonly apiKey: string; readonly machineId: string };
}

const job = workerData as Job;
let i = 0;
const options: autocannon.Options = job.jobStarts
  ? {
      ...job.options,
      amount: job.jobStarts.count,
      requests: [{
        method: 'POST',
        setupRequest: (req) => {
          const n = i++;
          return { ...req, path: `/v1/jobs/WJ-${n}/start`, headers: { 'X-API-Key': job.jobStarts!.apiKey, 'Content-Type': 'application/json', 'Idempotency-Key': `bench-write-${n}` }, body: JSON.stringify({ machineId: job.jobStarts!.machineId }) };
        },
      }],
    }
  : job.options;

autocannon(options, (err, result) => {
  if (err) throw err;
  // Inside a worker thread autocannon returns encoded histograms; aggregate them here.
  const summary = (autocannon as unknown as { aggregateResult(results: unknown[], opts: unknown): autocannon.Result }).aggregateResult([result], options);
  parentPort!.postMessage(JSON.parse(JSON.stringify(summary)));
});
