// One timed run of our projection for bench/projection/run.ts, in its own process so peak RSS is
// ours alone. Usage: node --import tsx ours.ts DATA.f32 N DIM THREADS SEED KNN OUT.f32
// Prints one JSON line: seconds (kNN + PCA + UMAP, data already in memory), the split, VmHWM.
// OPTIMIZER (optional): the UMAP epoch kernel, 'wasm-simd' or 'js'; default the library's.
import { readFileSync, writeFileSync } from 'node:fs';
import { knnGraph } from '../../src/core/retrieval/knn';
import { projectEmbeddings } from '../../src/core/projection/project';

async function main(): Promise<void> {
  const [path, nArg, dimArg, threadsArg, seedArg, knn, out, optimizer] = process.argv.slice(2);
  const n = Number(nArg);
  const dim = Number(dimArg);
  const buf = readFileSync(path);
  const data = new Float32Array(buf.buffer, buf.byteOffset, n * dim).slice();
  const t0 = performance.now();
  const graph = await knnGraph(data, n, dim, 14, { normalize: false, approximate: knn as 'usearch' | 'exact' | 'auto' });
  const t1 = performance.now();
  const r = await projectEmbeddings(data, n, dim, {
    graph,
    nNeighbors: 15,
    seed: Number(seedArg),
    threads: Number(threadsArg),
    optimizer: (optimizer || undefined) as 'wasm-simd' | 'js' | undefined,
  });
  const t2 = performance.now();
  writeFileSync(out, Buffer.from(r.xy.buffer, r.xy.byteOffset, r.xy.byteLength));
  const hwm = /VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  process.stdout.write(
    JSON.stringify({
      seconds: +((t2 - t0) / 1000).toFixed(3),
      knn_seconds: +((t1 - t0) / 1000).toFixed(3),
      layout_seconds: +((t2 - t1) / 1000).toFixed(3),
      knn_recall: graph.approximate?.recall,
      optimizer: r.params?.optimizer,
      peak_rss_mb: hwm ? +(Number(hwm) / 1024).toFixed(1) : undefined,
    }) + '\n',
  );
}
main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
