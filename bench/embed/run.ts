/**
 * bench/embed — images/s end to end (worker start, model load, dataset scan, decode, inference)
 * for Fashion-MNIST through one small CNN (scripts/make-fixture-onnx.mjs "bench-cnn"), as ONNX
 * (onnxruntime) and as a tfjs LayersModel (wasm), from the IDX files (no decoding) and from a
 * folder of PNGs made from them; in the same run, PyTorch CPU on the same weights (numpy from
 * IDX; PIL + DataLoader over the PNGs). Also: agreement between the runtimes, and the time a
 * cache hit for all 70,000 Fashion-MNIST items takes to load.
 *
 *   node --import tsx bench/embed/run.ts [--quick] [--n N] [--batch B] [--skip-cache-check]
 *
 * Runs go through the shipped bundle (dist/cli.js `embed`, built first), so worker start-up is
 * what users get. Prints one JSON object on stdout; progress on stderr.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import sharp from 'sharp';
import { readNpy } from '../../src/core/io/npy';
import { initTfjs } from '../../src/core/runtime/tfjs';
import { cpuCount, deviceSummary } from '../../src/core/runtime/device';
import { embedThroughCli } from './cliMain';

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const value = (name: string, dflt: number) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const quick = flag('quick');
const N = value('n', quick ? 1000 : 10000);
const BATCH = value('batch', 256);
const root = resolve(__dirname, '../..');
const FMNIST = '/usr/share/datasets/fashion-mnist';
const work = join(tmpdir(), 'embedding-lens-bench-embed');
const log = (s: string) => process.stderr.write(`[bench/embed] ${s}\n`);

function idxHeader(dims: number[]): Buffer {
  const h = Buffer.alloc(4 + 4 * dims.length);
  h[2] = 8;
  h[3] = dims.length;
  dims.forEach((d, i) => h.writeUInt32BE(d, 4 + 4 * i));
  return h;
}

/** The first n test images as their own IDX pair (gzipped like the originals), so every runtime sees the same items. */
function subsetIdx(n: number): { dir: string; images: string; pixels: Buffer; labels: Buffer } {
  const images = gunzipSync(readFileSync(join(FMNIST, 't10k-images-idx3-ubyte.gz'))).subarray(16, 16 + n * 784);
  const labels = gunzipSync(readFileSync(join(FMNIST, 't10k-labels-idx1-ubyte.gz'))).subarray(8, 8 + n);
  if (images.length !== n * 784) throw new Error(`Fashion-MNIST t10k holds fewer than ${n} images`);
  const dir = join(work, `fashion-idx-${n}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 't10k-images-idx3-ubyte.gz');
  writeFileSync(file, gzipSync(Buffer.concat([idxHeader([n, 28, 28]), images])));
  writeFileSync(join(dir, 't10k-labels-idx1-ubyte.gz'), gzipSync(Buffer.concat([idxHeader([n]), labels])));
  return { dir, images: file, pixels: images, labels };
}

async function pngFolder(pixels: Buffer, labels: Buffer, n: number): Promise<string> {
  const dir = join(work, `fashion-png-${n}`);
  const done = join(dir, '.complete');
  if (existsSync(done)) return dir;
  rmSync(dir, { recursive: true, force: true });
  for (let c = 0; c < 10; c++) mkdirSync(join(dir, `class${c}`), { recursive: true });
  for (let s = 0; s < n; s += 64) {
    await Promise.all(
      Array.from({ length: Math.min(64, n - s) }, (_, k) => {
        const i = s + k;
        return sharp(pixels.subarray(i * 784, (i + 1) * 784), { raw: { width: 28, height: 28, channels: 1 } })
          .png()
          .toFile(join(dir, `class${labels[i]}`, `${String(i).padStart(5, '0')}.png`));
      }),
    );
  }
  writeFileSync(done, '');
  return dir;
}

/** The tfjs twin of bench-cnn: the same weights, kernels moved from OIHW/[out,in] to HWIO/[in,out]. */
async function tfjsTwin(weightsJson: string, outDir: string): Promise<string> {
  const { tf } = await initTfjs('wasm');
  const index = JSON.parse(readFileSync(weightsJson, 'utf8')) as {
    layers: { op: string; out?: number }[];
    tensors: { name: string; shape: number[]; offset: number }[];
  };
  const bin = readFileSync(weightsJson.replace('.weights.json', '.weights.bin'));
  const all = new Float32Array(bin.buffer, bin.byteOffset, bin.byteLength / 4);
  const get = (name: string) => {
    const t = index.tensors.find((x) => x.name === name)!;
    return { data: all.subarray(t.offset, t.offset + t.shape.reduce((a, b) => a * b, 1)), shape: t.shape };
  };
  const model = tf.sequential();
  let first = true;
  index.layers.forEach((l, i) => {
    const input = first ? { inputShape: [28, 28, 1] } : {};
    if (l.op === 'conv') {
      const w = get(`conv${i}.weight`);
      const kernel = tf.tidy(() => tf.tensor4d(w.data, w.shape as [number, number, number, number]).transpose([2, 3, 1, 0]));
      const layer = tf.layers.conv2d({ ...input, filters: l.out!, kernelSize: 3, padding: 'same' });
      model.add(layer);
      layer.setWeights([kernel, tf.tensor1d(get(`conv${i}.bias`).data)]);
      first = false;
    } else if (l.op === 'relu') model.add(tf.layers.reLU());
    else if (l.op === 'maxpool') model.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
    else if (l.op === 'gap') model.add(tf.layers.globalAveragePooling2d({}));
    else if (l.op === 'gemm') {
      const w = get(`fc${i}.weight`);
      const layer = tf.layers.dense({ units: l.out! });
      model.add(layer);
      layer.setWeights([tf.tidy(() => tf.tensor2d(w.data, w.shape as [number, number]).transpose()), tf.tensor1d(get(`fc${i}.bias`).data)]);
    }
  });
  mkdirSync(outDir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      writeFileSync(join(outDir, 'weights.bin'), Buffer.from(a.weightData as ArrayBuffer));
      writeFileSync(
        join(outDir, 'model.json'),
        JSON.stringify({
          format: 'layers-model',
          generatedBy: 'bench/embed',
          convertedBy: null,
          modelTopology: a.modelTopology,
          weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }],
        }),
      );
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return join(outDir, 'model.json');
}

interface CliSummary {
  n: number;
  dim: number;
  backend: string;
  fromCache: boolean;
  skipped: { count: number };
  timings: {
    totalMs: number;
    workerStartMs?: number;
    loadModelMs?: number;
    datasetMs?: number;
    decodeWaitMs?: number;
    inferMs?: number;
    cacheMs?: number;
  };
}

interface Run {
  summary: CliSummary;
  rows: Map<number, Float32Array>;
  seconds: number;
}

/** One `embedding-lens embed` run through the shipped bundle (dist/cli.js → dist/workers/embed.js), in a plain node child (cliMain.ts). */
async function runCli(checkpoint: string, dataset: string, extra: string[]): Promise<Run> {
  const run = embedThroughCli(root, join(work, 'out'), checkpoint, dataset, ['--batch-size', String(BATCH), ...extra]);
  const { npy, seconds } = run;
  const summary = run.summary as CliSummary;
  const arr = await readNpy(npy);
  const meta = JSON.parse(readFileSync(npy.replace(/\.npy$/, '.meta.json'), 'utf8')) as { paths: string[] };
  const data = arr.data as Float32Array;
  const rows = new Map<number, Float32Array>();
  meta.paths.forEach((p, row) => {
    const hash = p.lastIndexOf('#');
    const i = hash >= 0 ? Number(p.slice(hash + 1)) : Number(p.slice(p.lastIndexOf('/') + 1, -4));
    rows.set(i, data.subarray(row * summary.dim, (row + 1) * summary.dim));
  });
  return { summary, rows, seconds };
}

async function measure(label: string, checkpoint: string, dataset: string, extra: string[] = []) {
  log(`${label}…`);
  const r = await runCli(checkpoint, dataset, ['--no-cache', ...extra]);
  const t = r.summary.timings;
  const n = r.summary.n;
  const startMs = (t.workerStartMs ?? 0) + (t.loadModelMs ?? 0);
  log(`${label}: ${n} images in ${r.seconds.toFixed(2)} s → ${(n / r.seconds).toFixed(0)} img/s end to end`);
  return {
    rows: r.rows,
    figures: {
      images: n,
      seconds: r.seconds,
      imagesPerSecond: n / r.seconds,
      /** Like PyTorch's own figure: without starting the runtime (worker thread, module loading) and building the model. */
      imagesPerSecondExcludingRuntimeStart: n / (r.seconds - startMs / 1000),
      backend: r.summary.backend,
      workerStartMs: t.workerStartMs,
      loadModelMs: t.loadModelMs,
      datasetScanMs: t.datasetMs,
      decodeWaitMs: t.decodeWaitMs,
      inferMs: t.inferMs,
      skipped: r.summary.skipped.count,
    },
  };
}

function maxAbsDiff(a: Map<number, Float32Array>, b: (i: number) => ArrayLike<number>, n: number): number {
  let worst = 0;
  for (let i = 0; i < n; i++) {
    const x = a.get(i)!;
    const y = b(i);
    for (let k = 0; k < x.length; k++) worst = Math.max(worst, Math.abs(x[k] - y[k]));
  }
  return worst;
}

function findTorchPython(): string | undefined {
  for (const py of ['/usr/bin/python3', 'python3']) {
    const r = spawnSync(py, ['-c', 'import torch, PIL, numpy'], { encoding: 'utf8' });
    if (r.status === 0) return py;
  }
  return undefined;
}

async function main() {
  if (!existsSync(join(FMNIST, 't10k-images-idx3-ubyte.gz')))
    throw new Error(`${FMNIST} is missing: apt-get install dataset-fashion-mnist`);
  mkdirSync(work, { recursive: true });
  const load0 = loadavg();
  const build = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`build failed: ${build.stderr}`);
  const gen = spawnSync(process.execPath, [join(root, 'scripts/make-fixture-onnx.mjs'), '--model', 'bench-cnn', '--out', work], {
    encoding: 'utf8',
  });
  if (gen.status !== 0) throw new Error(`make-fixture-onnx failed: ${gen.stderr}`);
  const onnx = join(work, 'bench-cnn.onnx');
  const weights = join(work, 'bench-cnn.weights.json');
  const tfjs = await tfjsTwin(weights, join(work, 'bench-cnn-tfjs'));
  const idx = subsetIdx(N);
  log(`writing ${N} PNGs (once; reused by later runs)…`);
  const tPng = performance.now();
  const png = await pngFolder(idx.pixels, idx.labels, N);
  const pngWriteSeconds = (performance.now() - tPng) / 1000;

  const onnxIdx = await measure('onnxruntime, IDX', onnx, idx.images);
  const onnxPng = await measure('onnxruntime, PNG folder', onnx, png);
  const tfjsIdx = await measure('tfjs-wasm, IDX', tfjs, idx.images, ['--backend', 'wasm']);
  const tfjsPng = await measure('tfjs-wasm, PNG folder', tfjs, png, ['--backend', 'wasm']);

  let torch: Record<string, unknown> | { unavailable: string } = { unavailable: 'python3-torch not importable' };
  let torchAgreement: number | undefined;
  const py = findTorchPython();
  if (py) {
    log('PyTorch CPU peer…');
    const embOut = join(work, 'torch-emb.f32');
    const r = spawnSync(
      py,
      [
        join(__dirname, 'torch_peer.py'),
        '--weights',
        weights,
        '--idx',
        idx.images,
        '--png',
        png,
        '--n',
        String(N),
        '--batch',
        String(BATCH),
        '--threads',
        String(cpuCount()),
        '--workers',
        String(cpuCount()),
        '--emb-out',
        embOut,
      ],
      { encoding: 'utf8', maxBuffer: 1 << 24 },
    );
    if (r.status !== 0) throw new Error(`torch peer failed: ${r.stderr}`);
    torch = JSON.parse(r.stdout.trim().split('\n').pop()!);
    const buf = readFileSync(embOut);
    const t = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
    torchAgreement = maxAbsDiff(onnxIdx.rows, (i) => t.subarray(i * 64, (i + 1) * 64), N);
    log(
      `PyTorch: IDX ${(torch as { idx: { imagesPerSecond: number } }).idx.imagesPerSecond.toFixed(0)} img/s, PNG ${(torch as { png: { imagesPerSecond: number } }).png.imagesPerSecond.toFixed(0)} img/s`,
    );
  }

  let cache: Record<string, unknown> = { skipped: 'run without --skip-cache-check (and without --quick) to measure' };
  if (!flag('skip-cache-check') && !quick) {
    const cacheDir = join(work, 'cache');
    rmSync(cacheDir, { recursive: true, force: true });
    log('onnxruntime, all 70,000 Fashion-MNIST items (cache fill)…');
    const fill = await runCli(onnx, FMNIST, ['--cache-dir', cacheDir]);
    const hit = await runCli(onnx, FMNIST, ['--cache-dir', cacheDir]);
    log(`cache hit for ${hit.summary.n} items: ${(hit.summary.timings.totalMs / 1000).toFixed(2)} s`);
    cache = {
      items: hit.summary.n,
      fromCache: hit.summary.fromCache,
      hitEngineSeconds: hit.summary.timings.totalMs / 1000,
      hitBreakdownMs: hit.summary.timings,
      hitCliSecondsIncludingNpyWrite: hit.seconds,
      fillSeconds: fill.seconds,
      fillImagesPerSecond: fill.summary.n / fill.seconds,
    };
  }

  const tp = torch as {
    idx?: { imagesPerSecond: number; seconds: number; images: number };
    png?: { imagesPerSecond: number; seconds: number; images: number };
    importSeconds?: number;
    modelLoadSeconds?: number;
  };
  const ratio = (ours: number, peer?: number) => (peer ? ours / peer : undefined);
  // PyTorch end to end: its import and model build added to each measured span, as ours includes worker start and model load.
  const torchStart = (tp.importSeconds ?? 0) + (tp.modelLoadSeconds ?? 0);
  const torchE2e = (p?: { seconds: number; images: number }) => (p ? p.images / (p.seconds + torchStart) : undefined);
  const onnxTfjsAgreement = maxAbsDiff(onnxIdx.rows, (i) => tfjsIdx.rows.get(i)!, N);
  console.log(
    JSON.stringify(
      {
        bench: 'embed',
        quick,
        images: N,
        batchSize: BATCH,
        model: 'bench-cnn: 1×28×28 → conv16/pool → conv32/pool → conv64 → GAP → linear 64 (scripts/make-fixture-onnx.mjs)',
        machine: {
          device: deviceSummary(),
          cores: cpus().length,
          loadavgBefore: load0,
          loadavgAfter: loadavg(),
          note: 'cores shared with other engineers: see loadavg',
        },
        pngWriteSeconds,
        results: {
          onnxruntime: { idx: onnxIdx.figures, png: onnxPng.figures },
          tfjsWasm: { idx: tfjsIdx.figures, png: tfjsPng.figures },
          pytorchCpu: torch,
        },
        ratios: {
          endToEnd: {
            note: 'both sides include starting the runtime and building the model (ours: worker thread + module loading + session; PyTorch: import torch + model build)',
            onnxVsPytorchIdx: ratio(onnxIdx.figures.imagesPerSecond, torchE2e(tp.idx)),
            onnxVsPytorchPng: ratio(onnxPng.figures.imagesPerSecond, torchE2e(tp.png)),
            tfjsWasmVsPytorchIdx: ratio(tfjsIdx.figures.imagesPerSecond, torchE2e(tp.idx)),
            tfjsWasmVsPytorchPng: ratio(tfjsPng.figures.imagesPerSecond, torchE2e(tp.png)),
          },
          excludingRuntimeStart: {
            note: 'neither side counts starting the runtime or building the model; both count reading/decoding and inference',
            onnxVsPytorchIdx: ratio(onnxIdx.figures.imagesPerSecondExcludingRuntimeStart, tp.idx?.imagesPerSecond),
            onnxVsPytorchPng: ratio(onnxPng.figures.imagesPerSecondExcludingRuntimeStart, tp.png?.imagesPerSecond),
            tfjsWasmVsPytorchIdx: ratio(tfjsIdx.figures.imagesPerSecondExcludingRuntimeStart, tp.idx?.imagesPerSecond),
            tfjsWasmVsPytorchPng: ratio(tfjsPng.figures.imagesPerSecondExcludingRuntimeStart, tp.png?.imagesPerSecond),
          },
          target: 'onnxruntime ≥ 2× PyTorch images/s on both IDX and PNG',
        },
        agreement: { maxAbsDiffOnnxVsPytorch: torchAgreement, maxAbsDiffOnnxVsTfjs: onnxTfjsAgreement },
        cache70k: cache,
      },
      null,
      2,
    ),
  );
}

main().catch((err) => {
  process.stderr.write(`bench/embed failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
