/**
 * Worker-thread entry of the fine-tune: runs the whole training off the caller's event loop.
 * workerData is a FineTuneJob; the parent may post {type: 'cancel'}; this posts TrainMessages.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { LensError } from '../errors';
import { loadTrainingData } from '../train/data';
import type { FineTuneJob, TrainMessage } from '../train/fineTune';
import { runFineTune } from '../train/run';
import type { Progress } from '../types';

const port = parentPort!;
const job = workerData as FineTuneJob;
const abort = new AbortController();
const post = (m: TrainMessage) => port.postMessage(m);

port.on('message', (m: { type?: string }) => {
  if (m?.type === 'cancel') abort.abort();
});

async function main(): Promise<void> {
  const onProgress = (p: Progress) => post({ type: 'progress', p });
  const data = await loadTrainingData(job.dataset, { signal: abort.signal, onProgress });
  const result = await runFineTune(
    {
      ...job,
      signal: abort.signal,
      onProgress,
      onStep: (s) => post({ type: 'step', s }),
      onEpoch: (e) => post({ type: 'epoch', e }),
    },
    data,
  );
  post({ type: 'done', result });
}

main().then(
  () => undefined,
  (err: unknown) => {
    const e = err instanceof Error ? err : new Error(String(err));
    // A file-system error (a path that cannot be read or written) crosses as its code, syscall and
    // path, so the caller prints it as one line; anything else is a bug and keeps its stack.
    const sys = e as NodeJS.ErrnoException;
    if (!(e instanceof LensError) && typeof sys.code === 'string' && typeof sys.syscall === 'string') {
      post({ type: 'error', name: e.name, message: e.message, code: sys.code, syscall: sys.syscall, path: sys.path });
      return;
    }
    post({ type: 'error', name: e.name, message: e instanceof LensError ? e.message : (e.stack ?? e.message), code: e instanceof LensError ? e.code : undefined });
  },
);
