// bench/compare: the comparison step after both inspections are done — item matching by path
// (B listed in another order, so B is restated in A's order), per-item Jaccard@K and precision@K,
// the most-changed lists, deltas and the two Procrustes alignments — on synthetic kNN graphs,
// against a naive Set-based Jaccard in the same run (the obvious way to write it).
// Prints one JSON object on stdout.
//
//   node --import tsx bench/compare/run.ts            200,000 items, K = 10
//   node --import tsx bench/compare/run.ts --quick    20,000 items
import { cpus, loadavg } from 'node:os';
import {
  compareInspections,
  dataInAOrder,
  graphInAOrder,
  matchItems,
  mostChanged,
  neighbourhoodChange,
  type CompareSide,
} from '../../src/core/compare';
import { procrustes } from '../../src/core/projection/procrustes';
import type { InspectionData } from '../../src/protocol';
import type { KnnGraph } from '../../src/core/retrieval/knn';
import { mulberry32 } from '../../src/core/util/random';

const quick = process.argv.includes('--quick');
const n = quick ? 20_000 : 200_000;
const K = 10;
const CLASSES = 100;

const rng = mulberry32;

/** Neighbours mostly from the item's own class; `noise` of them anywhere. */
function graph(labels: Int32Array, rand: () => number, noise: number): KnnGraph {
  const byClass: number[][] = Array.from({ length: CLASSES }, () => []);
  labels.forEach((c, i) => byClass[c].push(i));
  const indices = new Int32Array(n * K);
  const distances = new Float32Array(n * K);
  for (let i = 0; i < n; i++) {
    const row = new Set<number>();
    while (row.size < K) {
      const pool = rand() < noise ? null : byClass[labels[i]];
      const j = pool ? pool[Math.floor(rand() * pool.length)] : Math.floor(rand() * n);
      if (j !== i) row.add(j);
    }
    [...row].forEach((j, t) => {
      indices[i * K + t] = j;
      distances[i * K + t] = t / K;
    });
  }
  return { n, k: K, indices, distances };
}

function side(name: string, labels: Int32Array, paths: string[], rand: () => number, noise: number): CompareSide {
  const layout = Float32Array.from({ length: 2 * n }, () => rand() * 10);
  const data: InspectionData = {
    title: name,
    source: { checkpoint: `/models/${name}.onnx`, dataset: '/data/products' },
    items: { n, labels, classNames: Array.from({ length: CLASSES }, (_, c) => `class${c}`), paths },
    layout: { pca: layout, umap: layout.map((v) => v * 0.5 + 1) },
    metrics: {
      recallAtK: [{ k: 1, value: 0.5 }],
      precisionAt1: 0.5,
      rPrecision: 0.3,
      mapAtR: 0.2,
      queries: n,
      excludedQueries: 0,
      protocol: 'leave-one-out',
    },
    classes: [],
  };
  return { data, graph: graph(labels, rand, noise) };
}

function naiveJaccard(a: KnnGraph, b: KnnGraph): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const sa = new Set(a.indices.subarray(i * K, (i + 1) * K));
    const sb = new Set(b.indices.subarray(i * K, (i + 1) * K));
    let inter = 0;
    for (const x of sa) if (sb.has(x)) inter++;
    out[i] = inter / new Set([...sa, ...sb]).size;
  }
  return out;
}

async function main(): Promise<void> {
  const rand = rng(7);
  const labels = Int32Array.from({ length: n }, () => Math.floor(rand() * CLASSES));
  const paths = Array.from({ length: n }, (_, i) => `/data/products/class${labels[i]}/${i}.jpg`);
  const a = side('a', labels, paths, rand, 0.2);
  // B lists the same items reversed: matching must go by path and restate B in A's order.
  const b0 = side('b', labels, paths, rand, 0.4);
  const rev = (i: number) => n - 1 - i;
  const gb = b0.graph!;
  const bIndices = new Int32Array(n * K);
  for (let i = 0; i < n; i++) for (let t = 0; t < K; t++) bIndices[rev(i) * K + t] = rev(gb.indices[i * K + t]);
  const reversed = <T extends Float32Array>(xy: T): T => {
    const out = xy.slice() as T;
    for (let i = 0; i < n; i++) out.set(xy.subarray(2 * i, 2 * i + 2), 2 * rev(i));
    return out;
  };
  const b: CompareSide = {
    data: {
      ...b0.data,
      items: { ...b0.data.items!, labels: Int32Array.from(labels).reverse(), paths: [...paths].reverse() },
      layout: { pca: reversed(b0.data.layout!.pca!), umap: reversed(b0.data.layout!.umap!) },
    },
    graph: { ...gb, indices: bIndices, distances: gb.distances },
  };

  const t0 = performance.now();
  const cmp = await compareInspections(a, b, { k: K, listSize: 20 });
  const oursMs = performance.now() - t0;

  // The same work phase by phase, to see where the time goes.
  const phases: Record<string, number> = {};
  const time = async <T>(name: string, fn: () => T | Promise<T>): Promise<T> => {
    const t = performance.now();
    const v = await fn();
    phases[name] = Math.round(performance.now() - t);
    return v;
  };
  const m = await time('matchByPath', () => matchItems({ name: 'A', items: a.data.items! }, { name: 'B', items: b.data.items! }));
  const g = await time('restateGraphInAOrder', () => graphInAOrder(b.graph!, m));
  const d = await time('restateDataInAOrder', () => dataInAOrder(b.data, a.data.items!, m));
  const change = await time('jaccardAndPrecision', () => neighbourhoodChange(a.graph!, g, labels, K));
  await time('mostChangedLists', () => mostChanged(change, a.graph!, g, 20));
  await time('procrustesBothMaps', () => [
    procrustes(d.layout!.pca!, a.data.layout!.pca!),
    procrustes(d.layout!.umap!, a.data.layout!.umap!),
  ]);

  const t1 = performance.now();
  const naive = naiveJaccard(a.graph!, gb);
  const naiveMs = performance.now() - t1;
  let maxDiff = 0;
  for (let i = 0; i < n; i++) maxDiff = Math.max(maxDiff, Math.abs(cmp.data.jaccard[i] - naive[i]));

  process.stdout.write(
    JSON.stringify(
      {
        bench: 'compare',
        n,
        k: K,
        matchedBy: cmp.match.by,
        oursCompareMs: Math.round(oursMs),
        oursPhasesMs: phases,
        peerNaiveJaccardMs: Math.round(naiveMs),
        jaccardMaxAbsDiff: maxDiff,
        meanJaccard: cmp.data.meanJaccard,
        worse: cmp.data.worse.length,
        better: cmp.data.better.length,
        alignment: cmp.data.alignment,
        machine: { cores: cpus().length, loadavg: loadavg().map((x) => Number(x.toFixed(2))) },
      },
      null,
      2,
    ) + '\n',
  );
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
