import cluster from 'node:cluster';
import type { Metrics } from './metrics';

export const METRICS_REQUEST = 'certledger:metrics-request';
export const METRICS_REPLY = 'certledger:metrics-reply';
export const WORKER_READY = 'certledger:worker-ready';

let nextId = 0;

/** The metrics text for a scrape: this process's own, or in a worker the totals of all workers. */
export function scrape(metrics: Metrics): Promise<string> {
  if (!cluster.isWorker || !process.send) return metrics.registry.metrics();
  const id = ++nextId;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      process.off('message', onMessage);
      reject(new Error('the primary process did not answer the metrics request'));
    }, 10_000);
    const onMessage = (msg: { type?: string; id?: number; text?: string }) => {
      if (msg?.type !== METRICS_REPLY || msg.id !== id) return;
      clearTimeout(timer);
      process.off('message', onMessage);
      resolve(msg.text ?? '');
    };
    process.on('message', onMessage);
    process.send!({ type: METRICS_REQUEST, id });
  });
}
