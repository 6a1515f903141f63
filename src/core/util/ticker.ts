import { throwIfAborted } from '../errors';
import type { ProgressFn } from '../types';

/**
 * Progress and cancel for a long synchronous loop on the main thread. Call `await tick(done)`
 * between chunks of work: it yields to the event loop (so an abort can arrive), throws
 * CancelledError when the signal fired, and reports progress when `everyMs` has passed since the
 * last report — time-based, not count-based, because the same loop takes 10 ms on 1k rows and
 * minutes on 1M, and the rule is "never silent for more than 2 s".
 */
export interface Ticker {
  (done: number): Promise<void>;
  /** Report now regardless of the cadence (the first and the last step of a stage). */
  report(done: number): void;
}

export function ticker(stage: string, total: number, opts: { signal?: AbortSignal; onProgress?: ProgressFn; everyMs?: number }): Ticker {
  const every = opts.everyMs ?? 250;
  const t0 = performance.now();
  let last = -Infinity;
  const report = (done: number) => {
    const now = performance.now();
    last = now;
    const secs = (now - t0) / 1000;
    const rate = secs > 0 && done > 0 ? done / secs : undefined;
    opts.onProgress?.({ stage, done, total, rate, etaSeconds: rate ? Math.max(0, total - done) / rate : undefined });
  };
  const tick = (async (done: number) => {
    if (performance.now() - last >= every) report(done);
    await new Promise<void>((r) => setImmediate(r));
    throwIfAborted(opts.signal);
  }) as Ticker;
  tick.report = report;
  return tick;
}
