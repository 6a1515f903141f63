import { loadDataset, type DatasetOptions } from '../dataset';
import { readIdx } from '../dataset/idx';
import { floatsPerItem, preprocessInto, type ImageSource } from '../dataset/preprocess';
import type { Preprocess } from '../checkpoint';
import { LensError, throwIfAborted } from '../errors';
import type { RunControl } from '../types';
import type { TrainingData } from './run';

/** Images decoded at once: sharp works on libuv's pool, so a few in flight keep it busy. */
const DECODE_CONCURRENCY = 4;

/**
 * A dataset on disk as the trainer's TrainingData: the items and labels from the dataset loader,
 * pixels decoded and preprocessed on demand (IDX files read once and sliced).
 */
export async function loadTrainingData(
  path: string,
  opts: Pick<DatasetOptions, 'maxPerClass' | 'maxTotal' | 'seed'> & RunControl = {},
): Promise<TrainingData> {
  const ds = await loadDataset(path, { maxPerClass: opts.maxPerClass, maxTotal: opts.maxTotal, seed: opts.seed, signal: opts.signal });
  const items = ds.items;
  const hasSplit = items.some((it) => it.split !== undefined);
  const idxCache = new Map<string, Promise<{ dims: number[]; data: Uint8Array }>>();
  const source = (i: number): Promise<ImageSource> | ImageSource => {
    const it = items[i];
    if (!it.idx) return { file: it.path };
    const { file, index } = it.idx;
    let p = idxCache.get(file);
    if (!p) idxCache.set(file, (p = readIdx(file)));
    return p.then(({ dims, data }) => {
      const [, h, w] = dims;
      return { raw: data.subarray(index * h * w, (index + 1) * h * w), width: w, height: h, channels: 1 as const };
    });
  };
  return {
    source: ds.source,
    labels: Int32Array.from(items, (it) => it.label),
    classNames: ds.classNames,
    split: hasSplit ? items.map((it) => it.split ?? '') : undefined,
    async inputs(rows: Int32Array, pp: Preprocess, ctl: RunControl): Promise<Float32Array> {
      const out = new Float32Array(rows.length * floatsPerItem(pp));
      let next = 0;
      let done = 0;
      const t0 = Date.now();
      const worker = async () => {
        while (next < rows.length) {
          const slot = next++;
          throwIfAborted(ctl.signal);
          const row = rows[slot];
          try {
            await preprocessInto(await source(row), pp, out, slot);
          } catch (err) {
            if (err instanceof LensError) throw err;
            throw new LensError(`cannot be decoded as an image (${(err as Error).message})`, items[row].path);
          }
          done++;
          if (ctl.onProgress && (done % 256 === 0 || done === rows.length)) {
            const rate = done / Math.max((Date.now() - t0) / 1000, 1e-3);
            ctl.onProgress({ stage: 'Loading images', done, total: rows.length, rate, etaSeconds: (rows.length - done) / rate });
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(DECODE_CONCURRENCY, rows.length) }, worker));
      return out;
    },
  };
}
