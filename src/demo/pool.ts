import { throwIfAborted } from '../core/errors';
import type { ProgressFn } from '../core/types';

/**
 * Runs task(0..count-1) with at most `concurrency` in flight. sharp does its work on libuv's
 * thread pool, so a few tasks in flight keep every core busy while the event loop stays free.
 * Stops starting new tasks once the signal fires or a task fails, waits for those in flight,
 * then rethrows — so the caller can clean up knowing nothing is still writing.
 */
export async function runPool(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<void>,
  opts: { signal?: AbortSignal; onProgress?: ProgressFn; stage: string },
): Promise<void> {
  const started = Date.now();
  let next = 0;
  let done = 0;
  let failure: unknown;
  const report = () => {
    if (!opts.onProgress) return;
    const seconds = (Date.now() - started) / 1000;
    const rate = seconds > 0 ? done / seconds : undefined;
    opts.onProgress({
      stage: opts.stage,
      done,
      total: count,
      rate,
      etaSeconds: rate ? (count - done) / rate : undefined,
    });
  };
  const worker = async () => {
    while (failure === undefined && next < count) {
      if (opts.signal?.aborted) break;
      const i = next++;
      try {
        await task(i);
      } catch (err) {
        failure ??= err;
        return;
      }
      done++;
      report();
    }
  };
  report();
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, worker));
  if (failure !== undefined) throw failure;
  throwIfAborted(opts.signal);
}
