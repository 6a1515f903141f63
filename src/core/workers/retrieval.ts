import { CancelledError } from '../errors';
import { runJob, type ScanResult, type ScanSlice } from '../retrieval/parallel';
import { serveWorker, type WorkerControl } from '../util/workerCall';

/**
 * One slice of a retrieval scan (see retrieval/parallel.ts); the inputs arrive as SharedArrayBuffers.
 * Progress events are the slice's queries done. The scan is synchronous between blocks, so a cancel
 * comes through the shared flag (the worker is never terminated while onnxruntime runs).
 */
export async function handleScanSlice(m: ScanSlice, control: WorkerControl<number>): Promise<ScanResult> {
  const input = { ...m.req, start: m.start, end: m.end, threads: m.threads };
  const hook = (done: number) => {
    if (Atomics.load(m.cancel, 0) !== 0) throw new CancelledError();
    control.progress(done);
  };
  const result = await runJob(input, m.job, hook);
  control.transferOnReply(Object.values(result).map((a: ArrayBufferView) => a.buffer as ArrayBuffer));
  return result;
}

serveWorker(handleScanSlice);
