/**
 * bench/embed/resnet.ts — a real-sized ONNX case (issue #16): a seeded torchvision ResNet-50
 * backbone (pooled 2048-d embedding, ~94 MB of ONNX) on 500×375 photo-like JPEGs resized to
 * 224 px, through the shipped bundle (`dist/cli.js embed`, built first) and, in the same run, PyTorch
 * CPU on the very same weights (resnet_peer.py: ImageFolder + DataLoader, one worker per core).
 * Reports images/s end to end on each side, their ratio (target ≥ 3×), and agreement: the cosine
 * between the two sides' embeddings of each image, matched by file name (target ≥ 0.9999).
 *
 *   node --import tsx bench/embed/resnet.ts [--images N | --quick] [--batch 32] [--resize crop|stretch] [--resample bilinear]
 *
 * Defaults: 1,000 images (--quick: 100), batch 32 on both sides, resize "crop" (short side to 224,
 * centre-crop) with the bilinear filter — what a torchvision user writes (Resize(224) →
 * CenterCrop(224)), and the sidecar embedding-lens.json the bench writes beside the ONNX file says
 * the same to our pipeline. Work files (model, JPEGs: made once, reused) live in
 * `$TMPDIR/embedding-lens-bench-embed`. Needs /usr/bin/python3 with Debian's python3-torch and
 * python3-torchvision. Prints one JSON object on stdout; progress on stderr.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { readNpy } from '../../src/core/io/npy';
import { cpuCount, deviceSummary } from '../../src/core/runtime/device';
import { embedThroughCli } from './cliMain';

const argv = process.argv.slice(2);
const option = (name: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const quick = argv.includes('--quick');
// --resnet-images is accepted too, the name the brief used.
const N = Number(option('images') ?? option('resnet-images') ?? (quick ? 100 : 1000));
const BATCH = Number(option('batch') ?? 32);
const RESIZE = option('resize') ?? 'crop';
const RESAMPLE = option('resample') ?? 'bilinear';
const SIDE = 224;
const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];
const SEED = 0;
const PY = '/usr/bin/python3';
const root = resolve(__dirname, '../..');
const work = join(tmpdir(), 'embedding-lens-bench-embed');
const log = (s: string) => process.stderr.write(`[bench/embed resnet] ${s}\n`);

if (!(Number.isInteger(N) && N > 0) || !(Number.isInteger(BATCH) && BATCH > 0))
  throw new Error('--images and --batch take positive integers');
if (RESIZE !== 'crop' && RESIZE !== 'stretch') throw new Error('--resize takes crop or stretch');
if (!['bilinear', 'bicubic', 'nearest', 'lanczos'].includes(RESAMPLE))
  throw new Error('--resample takes bilinear, bicubic, nearest or lanczos');

/** Runs a Python helper; its last stdout line is a JSON object. */
function python(script: string, args: string[]): Record<string, unknown> {
  const r = spawnSync(PY, [script, ...args], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`${script} failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
}

/** The seeded ResNet-50 as ONNX + state_dict, exported once per seed and reused (~190 MB in all). */
function modelFolder(): { dir: string; onnx: string; stateDict: string; exportSeconds?: number } {
  const dir = join(work, `resnet50-seed${SEED}`);
  const onnx = join(dir, 'resnet50.onnx');
  const stateDict = join(dir, 'resnet50.pt');
  if (existsSync(onnx) && existsSync(stateDict)) return { dir, onnx, stateDict };
  log('exporting the seeded ResNet-50 to ONNX (once; reused by later runs)…');
  const r = python(join(root, 'scripts/make-resnet50-onnx.py'), ['--out', dir, '--seed', String(SEED)]);
  return { dir, onnx, stateDict, exportSeconds: r.seconds as number };
}

/** N photo-like JPEGs in class subfolders, written once and reused (a marker file says the set is whole). */
function jpegFolder(n: number): { dir: string; writeSeconds?: number } {
  const dir = join(work, `photos-500x375-seed${SEED}-${n}`);
  const done = join(dir, '.complete');
  if (existsSync(done)) return { dir };
  rmSync(dir, { recursive: true, force: true });
  log(`writing ${n} JPEGs of 500×375 (once; reused by later runs)…`);
  const r = python(join(__dirname, 'make_photos.py'), ['--out', dir, '--n', String(n), '--seed', String(SEED)]);
  writeFileSync(done, '');
  return { dir, writeSeconds: r.seconds as number };
}

interface CliSummary {
  n: number;
  dim: number;
  backend: string;
  assumptions?: string[];
  skipped: { count: number };
  timings: { totalMs: number; workerStartMs?: number; loadModelMs?: number; datasetMs?: number; decodeWaitMs?: number; inferMs?: number };
}

/** `embedding-lens embed` through the shipped bundle (cliMain.ts: a plain node child); rows keyed by path relative to the dataset. */
async function runOurs(onnx: string, dataset: string) {
  const run = embedThroughCli(root, join(work, 'out-resnet'), onnx, dataset, ['--batch-size', String(BATCH), '--no-cache']);
  const { npy, seconds } = run;
  const summary = run.summary as CliSummary;
  const data = (await readNpy(npy)).data as Float32Array;
  const { paths } = JSON.parse(readFileSync(npy.replace(/\.npy$/, '.meta.json'), 'utf8')) as { paths: string[] };
  const rows = new Map(
    paths.map((p, i) => [relative(dataset, resolve(dataset, p)), data.subarray(i * summary.dim, (i + 1) * summary.dim)]),
  );
  return { summary, rows, seconds };
}

function runTorch(stateDict: string, dataset: string) {
  const embOut = join(work, 'out-resnet', 'torch-emb.f32');
  const figures = python(join(__dirname, 'resnet_peer.py'), [
    '--state-dict',
    stateDict,
    '--images',
    dataset,
    '--side',
    String(SIDE),
    '--resize',
    RESIZE,
    '--resample',
    RESAMPLE,
    '--mean',
    MEAN.join(','),
    '--std',
    STD.join(','),
    '--batch',
    String(BATCH),
    '--threads',
    String(cpuCount()),
    '--workers',
    String(cpuCount()),
    '--emb-out',
    embOut,
  ]);
  const buf = readFileSync(embOut);
  const data = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  const paths = JSON.parse(readFileSync(`${embOut}.paths.json`, 'utf8')) as string[];
  const dim = figures.dim as number;
  const rows = new Map(paths.map((p, i) => [p, data.subarray(i * dim, (i + 1) * dim)]));
  return { figures, rows };
}

function cosine(a: ArrayLike<number>, b: ArrayLike<number>, centre?: Float64Array): number {
  let ab = 0,
    aa = 0,
    bb = 0;
  for (let k = 0; k < a.length; k++) {
    const x = a[k] - (centre?.[k] ?? 0),
      y = b[k] - (centre?.[k] ?? 0);
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  return ab / Math.sqrt(aa * bb);
}

const stats = (xs: number[]) => ({ min: Math.min(...xs), mean: xs.reduce((s, x) => s + x, 0) / xs.length });

/**
 * Per-image cosine ours ↔ PyTorch. A random-weight ResNet's pooled features (all ≥ 0 after ReLU)
 * point much the same way for every image, so the raw cosine alone says little: the figures beside
 * it are the cosine between *different* images (how high agreement is by chance) and the cosine
 * after subtracting the mean embedding over all images (what is specific to each image).
 */
function agreement(ours: Map<string, Float32Array>, torch: Map<string, Float32Array>) {
  const names = [...torch.keys()].filter((p) => ours.has(p)).sort();
  const missing = { ours: [...torch.keys()].filter((p) => !ours.has(p)), pytorch: [...ours.keys()].filter((p) => !torch.has(p)) };
  const dim = torch.get(names[0])!.length;
  const centre = new Float64Array(dim);
  for (const p of names) torch.get(p)!.forEach((v, k) => (centre[k] += v / names.length));
  let maxAbsDiff = 0;
  for (const p of names) ours.get(p)!.forEach((v, k) => (maxAbsDiff = Math.max(maxAbsDiff, Math.abs(v - torch.get(p)![k]))));
  return {
    matchedByFileName: names.length,
    missing,
    cosine: stats(names.map((p) => cosine(ours.get(p)!, torch.get(p)!))),
    cosineCentred: stats(names.map((p) => cosine(ours.get(p)!, torch.get(p)!, centre))),
    cosineBetweenDifferentImagesPytorch: stats(names.slice(1).map((p, i) => cosine(torch.get(p)!, torch.get(names[i])!))),
    maxAbsDiff,
    target: 'cosine ≥ 0.9999 for every image',
    met: names.length > 0 && names.every((p) => cosine(ours.get(p)!, torch.get(p)!) >= 0.9999),
  };
}

async function main() {
  mkdirSync(work, { recursive: true });
  const load0 = loadavg();
  const build = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`build failed: ${build.stderr}`);
  const model = modelFolder();
  // The preprocessing both sides use, told to our pipeline the way a user would: the sidecar.
  const sidecar = {
    inputSize: [SIDE, SIDE],
    channels: 3,
    mean: MEAN,
    std: STD,
    resize: RESIZE,
    resample: RESAMPLE,
    layout: 'NCHW',
    output: 'last',
  };
  writeFileSync(join(model.dir, 'embedding-lens.json'), JSON.stringify(sidecar, null, 2));
  const photos = jpegFolder(N);

  log(`onnxruntime (ours, dist/cli.js embed), ${N} images…`);
  const ours = await runOurs(model.onnx, photos.dir);
  const oursIps = ours.summary.n / ours.seconds;
  log(`ours: ${ours.summary.n} images in ${ours.seconds.toFixed(2)} s → ${oursIps.toFixed(1)} img/s end to end`);
  log('PyTorch CPU peer…');
  const torch = runTorch(model.stateDict, photos.dir);
  const torchIps = torch.figures.imagesPerSecond as number;
  log(
    `PyTorch: ${torch.figures.images} images in ${(torch.figures.seconds as number).toFixed(2)} s → ${torchIps.toFixed(1)} img/s end to end`,
  );

  const t = ours.summary.timings;
  const startS = ((t.workerStartMs ?? 0) + (t.loadModelMs ?? 0)) / 1000;
  const oursExcl = ours.summary.n / (ours.seconds - startS);
  console.log(
    JSON.stringify(
      {
        bench: 'embed/resnet50',
        images: N,
        batchSize: BATCH,
        model: `torchvision ResNet-50, weights=None under torch.manual_seed(${SEED}), fc = Identity → pooled 2048-d; ONNX opset 13, dynamic batch (scripts/make-resnet50-onnx.py)`,
        data: '500×375 photo-like JPEGs, quality 90 (bench/embed/make_photos.py)',
        preprocessing: { sidecar, pytorch: torch.figures.transform },
        machine: { device: deviceSummary(), cores: cpus().length, loadavgBefore: load0, loadavgAfter: loadavg() },
        setup: { exportSeconds: model.exportSeconds, jpegWriteSeconds: photos.writeSeconds },
        results: {
          onnxruntime: {
            images: ours.summary.n,
            seconds: ours.seconds,
            imagesPerSecond: oursIps,
            imagesPerSecondExcludingRuntimeStart: oursExcl,
            backend: ours.summary.backend,
            skipped: ours.summary.skipped.count,
            timingsMs: t,
          },
          pytorchCpu: torch.figures,
        },
        ratios: {
          endToEnd: oursIps / torchIps,
          excludingRuntimeStart: oursExcl / (torch.figures.imagesPerSecondExcludingRuntimeStart as number),
          note: 'end to end: ours from cli.main to the .npy written (worker start, session, scan, decode, inference); PyTorch import + model build + weights + DataLoader loop',
          target: 'onnxruntime ≥ 3× PyTorch images/s end to end',
        },
        agreement: agreement(ours.rows, torch.rows),
      },
      null,
      2,
    ),
  );
}

main().catch((err) => {
  process.stderr.write(`bench/embed resnet failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
