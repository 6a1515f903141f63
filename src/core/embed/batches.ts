import type { LoadedModel } from '../checkpoint';
import { throwIfAborted } from '../errors';
import { readIdx } from '../dataset/idx';
import { floatsPerItem, ImageSource, preprocessInto } from '../dataset/preprocess';
import { readImageFileSync } from '../dataset/regularFile';
import type { EmbedJob, EmbedTimings, SkippedItem } from './protocol';

export interface BatchResult {
  /** items × dim, row i for item i; rows of skipped items stay zero. */
  vectors: Float32Array;
  ok: Uint8Array;
  skipped: SkippedItem[];
  timings: Omit<EmbedTimings, 'workerStartMs' | 'loadModelMs' | 'totalMs'>;
}

/** Loads every IDX images file the items refer to, once. */
async function idxSources(items: EmbedJob['items']): Promise<Map<string, { data: Uint8Array; rows: number; cols: number; count: number }>> {
  const out = new Map<string, { data: Uint8Array; rows: number; cols: number; count: number }>();
  for (const it of items) {
    if (!it.idx || out.has(it.idx.file)) continue;
    const { dims, data } = await readIdx(it.idx.file);
    out.set(it.idx.file, { data, count: dims[0], rows: dims[1], cols: dims[2] });
  }
  return out;
}

/**
 * Embeds items batch by batch, reading and decoding batch k+1 (on this thread, or sharp on libuv's
 * pool) while batch k runs through the model, writing each batch's rows straight into one preallocated matrix.
 * Memory: the output plus two input batches, whatever the dataset size. Unreadable images are
 * recorded in `skipped` and leave their row unused.
 */
export async function embedItems(
  model: LoadedModel,
  items: EmbedJob['items'],
  batchSize: number,
  onBatch: (done: number, skipped: number) => void,
  signal?: AbortSignal,
): Promise<BatchResult> {
  const n = items.length;
  const pp = model.preprocess;
  const per = floatsPerItem(pp);
  const bs = Math.max(1, Math.min(batchSize, model.maxBatch, n));
  const vectors = new Float32Array(n * model.dim);
  const ok = new Uint8Array(n);
  const skipped: SkippedItem[] = [];
  const idx = await idxSources(items);
  let decodeWaitMs = 0;
  let inferMs = 0;

  const decode = async (start: number) => {
    const end = Math.min(n, start + bs);
    const input = new Float32Array((end - start) * per);
    const good = new Uint8Array(end - start);
    const reasons: SkippedItem[] = [];
    await Promise.all(
      items.slice(start, end).map(async (it, k) => {
        try {
          let src: ImageSource;
          if (it.idx) {
            const f = idx.get(it.idx.file)!;
            if (it.idx.index < 0 || it.idx.index >= f.count)
              throw new Error(`index ${it.idx.index} outside the ${f.count} images of the IDX file`);
            const size = f.rows * f.cols;
            src = { raw: f.data.subarray(it.idx.index * size, (it.idx.index + 1) * size), width: f.cols, height: f.rows, channels: 1 };
          } else src = { file: it.path, bytes: readImageFileSync(it.path) };
          await preprocessInto(src, pp, input, k);
          good[k] = 1;
        } catch (err) {
          reasons.push({ index: start + k, reason: (err as Error).message.split('\n')[0] });
        }
      }),
    );
    return { start, end, input, good, reasons };
  };

  let pending = n > 0 ? decode(0) : undefined;
  while (pending) {
    throwIfAborted(signal);
    const t0 = performance.now();
    const batch = await pending;
    decodeWaitMs += performance.now() - t0;
    skipped.push(...batch.reasons.sort((a, b) => a.index - b.index));
    // Only the decodable images go through the model, packed at the front of the input.
    const rows: number[] = [];
    for (let k = 0; k < batch.good.length; k++) if (batch.good[k]) rows.push(k);
    let input = batch.input;
    if (rows.length && rows.length < batch.good.length) {
      input = new Float32Array(rows.length * per);
      rows.forEach((k, r) => input.set(batch.input.subarray(k * per, (k + 1) * per), r * per));
    }
    // The model starts first (onnxruntime runs on its own threads), then the next batch is read and
    // decoded on this thread meanwhile: file reads are synchronous, so started first they would hold
    // back the model until the whole next batch was decoded.
    const running = rows.length ? model.embed(input, rows.length) : undefined;
    pending = batch.end < n ? decode(batch.end) : undefined;
    if (running) {
      const t1 = performance.now();
      const out = await running;
      inferMs += performance.now() - t1;
      if (out.length !== rows.length * model.dim)
        throw new Error(`the model returned ${out.length} values for ${rows.length} items; expected ${rows.length * model.dim}`);
      rows.forEach((k, r) => {
        vectors.set(out.subarray(r * model.dim, (r + 1) * model.dim), (batch.start + k) * model.dim);
        ok[batch.start + k] = 1;
      });
    }
    onBatch(batch.end, skipped.length);
  }
  return { vectors, ok, skipped, timings: { decodeWaitMs, inferMs } };
}
