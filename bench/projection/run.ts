// bench/projection: UMAP of all 70,000 Fashion-MNIST images (64-d PCA of the pixels) — ours vs
// R's uwot (2 threads) and umap-learn, each where installed, in the same run on the same float32
// matrix. Prints one JSON object: wall time (kNN included), peak RSS, and two quality scores on
// 5,000 sampled points: kNN preservation@15 (64-d neighbours kept among the map's 15 nearest) and
// 15-NN label accuracy on the map. Neighbours are searched among all N points, exactly.
// Usage: node --import tsx bench/projection/run.ts [--quick] [--n N] [--threads T] [--seed S]
//        [--knn usearch|exact|auto] [--optimizer wasm-simd|js] [--no-peers] [--peers uwot,umap-learn]
// --quick: 10,000 points, 1,000 sampled. Inputs and cached ground truth live in bench/.data/.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { exactNeighbours } from '../../src/core/retrieval/sampledRecall';
import { mulberry32 } from '../../src/core/util/random';

const here = __dirname;
const root = resolve(here, '../..');
const dataDir = join(root, 'bench/.data');
const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const quick = args.includes('--quick');
const N_ALL = 70000;
const DIM = 64;
const n = Number(flag('n') ?? (quick ? 10000 : N_ALL));
const sampleSize = Math.min(n, quick ? 1000 : 5000);
const threads = Number(flag('threads') ?? 2);
const seed = Number(flag('seed') ?? 42);
const knnMode = flag('knn') ?? 'usearch';
const optimizer = flag('optimizer') ?? '';
const peers = args.includes('--no-peers') ? [] : (flag('peers') ?? 'uwot,umap-learn').split(',');
const K = 15;

function log(msg: string): void {
  process.stderr.write(`[bench/projection] ${msg}\n`);
}

function debianPython(): string {
  return existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}

/**
 * Beyond Fashion-MNIST's 70,000 images (`--n 200000`): a seeded synthetic set of the same width,
 * 100 classes, each a random 8-dimensional linear patch of the 64-d space (centre + A_c·z, z ~ N(0, I₈))
 * plus isotropic noise — local structure a layout can keep or lose, unlike isotropic blobs. Written
 * once to bench/.data/ like the Fashion-MNIST input; every method reads the same file.
 */
function syntheticData(): { path: string; labels: Int32Array } {
  const classes = 100;
  const latent = 8;
  const prefix = join(dataDir, `synthetic${n}-d${DIM}-c${classes}`);
  if (!existsSync(`${prefix}.f32`)) {
    mkdirSync(dataDir, { recursive: true });
    log(`writing the synthetic ${n.toLocaleString('en-US')} × ${DIM} input (once)…`);
    const rand = mulberry32(20261208);
    const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
    const centres = Float32Array.from({ length: classes * DIM }, () => 4 * gauss());
    const bases = Float32Array.from({ length: classes * DIM * latent }, () => gauss());
    const x = new Float32Array(n * DIM);
    const labels = new Int32Array(n);
    const z = new Float64Array(latent);
    for (let i = 0; i < n; i++) {
      const c = i % classes;
      labels[i] = c;
      for (let t = 0; t < latent; t++) z[t] = gauss();
      for (let d = 0; d < DIM; d++) {
        let v = centres[c * DIM + d] + 0.3 * gauss();
        for (let t = 0; t < latent; t++) v += bases[(c * DIM + d) * latent + t] * z[t];
        x[i * DIM + d] = v;
      }
    }
    writeFileSync(`${prefix}.f32`, Buffer.from(x.buffer));
    writeFileSync(`${prefix}.labels.i32`, Buffer.from(labels.buffer));
  }
  const lb = readFileSync(`${prefix}.labels.i32`);
  return { path: `${prefix}.f32`, labels: new Int32Array(lb.buffer, lb.byteOffset, n).slice() };
}

function ensureData(): { path: string; labels: Int32Array } {
  if (n > N_ALL) return syntheticData();
  const prefix = join(dataDir, 'fmnist70k-pca64');
  if (!existsSync(`${prefix}.f32`)) {
    const src = '/usr/share/datasets/fashion-mnist';
    if (!existsSync(src)) throw new Error(`${src} missing: apt-get install dataset-fashion-mnist`);
    mkdirSync(dataDir, { recursive: true });
    log('building the 64-d PCA of Fashion-MNIST (once)…');
    const r = spawnSync(debianPython(), [join(here, 'make_data.py'), src, prefix], { stdio: ['ignore', 'inherit', 'inherit'] });
    if (r.status !== 0) throw new Error('make_data.py failed');
  }
  const lb = readFileSync(`${prefix}.labels.i32`);
  return { path: `${prefix}.f32`, labels: new Int32Array(lb.buffer, lb.byteOffset, N_ALL).slice(0, n) };
}

/** Seeded sample of query rows (Fisher–Yates prefix with xorshift). */
function sampleRows(count: number, total: number, s: number): Int32Array {
  const perm = Int32Array.from({ length: total }, (_, i) => i);
  let st = s >>> 0 || 1;
  for (let i = 0; i < count; i++) {
    st ^= st << 13;
    st ^= st >>> 17;
    st ^= st << 5;
    const j = i + ((st >>> 0) % (total - i));
    [perm[i], perm[j]] = [perm[j], perm[i]];
  }
  return perm.slice(0, count).sort();
}

/** Exact K nearest (self excluded) of each query row among all rows; ties by index. */
function exactKnn(x: Float32Array, rows: number, dim: number, queries: Int32Array, k: number): Int32Array {
  const out = new Int32Array(queries.length * k);
  const bestD = new Float64Array(k);
  const bestI = new Int32Array(k);
  queries.forEach((q, qi) => {
    exactNeighbours(x, rows, dim, q, bestD, bestI);
    out.set(bestI, qi * k);
  });
  return out;
}

function quality(
  xy: Float32Array,
  high: Int32Array,
  queries: Int32Array,
  labels: Int32Array,
): { knn_preservation_15: number; label_accuracy_15nn: number } {
  const low = exactKnn(xy, n, 2, queries, K);
  let kept = 0;
  let correct = 0;
  for (let qi = 0; qi < queries.length; qi++) {
    const want = new Set(high.subarray(qi * K, (qi + 1) * K));
    const votes = new Map<number, number>();
    for (let t = 0; t < K; t++) {
      const j = low[qi * K + t];
      if (want.has(j)) kept++;
      votes.set(labels[j], (votes.get(labels[j]) ?? 0) + 1);
    }
    let best = -1;
    let bestCount = -1;
    for (const [l, c] of votes) if (c > bestCount || (c === bestCount && l < best)) [best, bestCount] = [l, c];
    if (best === labels[queries[qi]]) correct++;
  }
  return { knn_preservation_15: +(kept / (queries.length * K)).toFixed(4), label_accuracy_15nn: +(correct / queries.length).toFixed(4) };
}

function runJson(cmd: string, argv: string[]): Record<string, unknown> | { error: string } {
  const r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 1 << 26 });
  const line = r.stdout?.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{'))
    return { error: `${cmd} exited ${r.status}: ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}` };
  return JSON.parse(line) as Record<string, unknown>;
}

function readLayout(path: string): Float32Array {
  const b = readFileSync(path);
  return new Float32Array(b.buffer, b.byteOffset, n * 2).slice();
}

function hasR(pkg: string): boolean {
  return spawnSync('Rscript', ['-e', `quit(status = if (requireNamespace("${pkg}", quietly = TRUE)) 0 else 1)`]).status === 0;
}

function main(): void {
  const { path, labels } = ensureData();
  const raw = readFileSync(path);
  const x = new Float32Array(raw.buffer, raw.byteOffset, n * DIM);
  const queries = sampleRows(sampleSize, n, 20240601);
  const truthPath = join(dataDir, `truth-n${n}-s${sampleSize}-k${K}.i32`);
  let high: Int32Array;
  if (existsSync(truthPath)) {
    const b = readFileSync(truthPath);
    high = new Int32Array(b.buffer, b.byteOffset, sampleSize * K).slice();
  } else {
    log(`exact ${K}-NN in 64-d for ${sampleSize} sampled points (once)…`);
    high = exactKnn(x, n, DIM, queries, K);
    writeFileSync(truthPath, Buffer.from(high.buffer));
  }
  const outDir = join(dataDir, 'out');
  mkdirSync(outDir, { recursive: true });
  const results: Record<string, unknown> = {};
  const loadBefore = loadavg()[0];

  log(`ours (${threads} threads, kNN ${knnMode}${optimizer ? `, optimizer ${optimizer}` : ''})…`);
  const oursOut = join(outDir, `ours-${n}.f32`);
  const ours = runJson(process.execPath, [
    '--import',
    'tsx',
    join(here, 'ours.ts'),
    path,
    String(n),
    String(DIM),
    String(threads),
    String(seed),
    knnMode,
    oursOut,
    optimizer,
  ]);
  results.ours = 'error' in ours ? ours : { ...ours, threads, knn: knnMode, ...quality(readLayout(oursOut), high, queries, labels) };

  if (peers.includes('uwot')) {
    if (!hasR('uwot')) results.uwot = { skipped: 'R package uwot not installed (apt-get install r-cran-uwot)' };
    else {
      log('uwot (2 threads)…');
      const out = join(outDir, `uwot-${n}.f32`);
      const r = runJson('Rscript', [join(here, 'uwot.R'), path, String(n), String(DIM), '2', String(seed), out]);
      results.uwot = 'error' in r ? r : { ...r, threads: 2, ...quality(readLayout(out), high, queries, labels) };
    }
  }
  if (peers.includes('umap-learn')) {
    const py = debianPython();
    if (spawnSync(py, ['-c', 'import umap']).status !== 0)
      results.umap_learn = { skipped: 'umap-learn not installed (apt-get install umap-learn)' };
    else {
      log('umap-learn…');
      const out = join(outDir, `umap-learn-${n}.f32`);
      const r = runJson(py, [join(here, 'umap_learn.py'), path, String(n), String(DIM), String(seed), out]);
      results.umap_learn = 'error' in r ? r : { ...r, ...quality(readLayout(out), high, queries, labels) };
    }
  }

  const o = results.ours as Record<string, number>;
  const u = results.uwot as Record<string, number> | undefined;
  const target =
    u && typeof u.seconds === 'number' && typeof o.seconds === 'number'
      ? {
          time_ratio_vs_uwot: +(o.seconds / u.seconds).toFixed(3),
          time_ok: o.seconds <= 0.5 * u.seconds,
          knn_preservation_ok: o.knn_preservation_15 >= u.knn_preservation_15 - 0.01,
          label_accuracy_ok: o.label_accuracy_15nn >= u.label_accuracy_15nn - 0.01,
          rss_ok: o.peak_rss_mb <= 2048,
        }
      : undefined;
  process.stdout.write(
    JSON.stringify(
      {
        bench: 'projection',
        input: {
          dataset:
            n > N_ALL
              ? 'synthetic: 100 classes, each an 8-d linear patch of 64-d space plus noise (seeded)'
              : 'Fashion-MNIST train+test, 64-d PCA of pixels',
          n,
          dim: DIM,
          sampled: sampleSize,
          k: K,
          seed,
        },
        machine: { cpus: cpus().length, loadavg_1m_before: +loadBefore.toFixed(2), loadavg_1m_after: +loadavg()[0].toFixed(2) },
        ...results,
        target,
      },
      null,
      2,
    ) + '\n',
  );
}

main();
