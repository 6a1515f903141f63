/**
 * bench/finetune — EET fine-tuning speed and effect on Fashion-MNIST (issue 7).
 *
 *   node --import tsx bench/finetune/run.ts [--quick] [--backend wasm|cpu|auto] [--no-peer]
 *
 * A small CNN (28×28×1 → conv16/pool → conv32/pool → conv64 → GAP → dense 64), batches of
 * P×K = 8×8 = 64. Measures, in one run:
 *  - end-to-end tfjs training steps/s over one epoch of the 60k training images, and the held-out
 *    (t10k test images, stratified 2000) map@r / recall@1 before and after that epoch;
 *  - head-only: 5 epochs of a dense 64→64 head on 10,000 cached features of the trained CNN
 *    (wall time including per-epoch validation, and the training steps alone);
 *  - the PyTorch CPU peer (bench/finetune/torch_peer.py: same architecture, same loss, same batch).
 * Prints one JSON object on stdout; progress on stderr. --quick: 6,000 training images,
 * 1,000 validation items, fewer peer steps.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import { readIdx } from '../../src/core/dataset/idx';
import { initTfjs } from '../../src/core/runtime/tfjs';
import { isBackendSetting } from '../../src/core/runtime/select';
import { registerWasmTrainingKernels } from '../../src/core/runtime/wasmTrainingKernels';
import { embedSet, modelEmbedder, trainLoop, type ItemSet } from '../../src/core/train/loop';
import { denseHeadTrainer } from '../../src/core/train/trainers';
import { modelTrainer } from '../../src/core/train/shardedTrainer';
import { resolveSettings } from '../../src/core/train/options';
import { stratifiedCap } from '../../src/core/train/split';
import { looMapAtR } from '../../src/core/train/validation';

const DATA = process.env.FASHION_MNIST_DIR ?? '/usr/share/datasets/fashion-mnist';
const PYTHON = process.env.BENCH_PYTHON ?? '/usr/bin/python3';
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const backendArg = argv.includes('--backend') ? argv[argv.indexOf('--backend') + 1] : 'auto';
if (!isBackendSetting(backendArg)) throw new Error(`--backend expects auto|tfjs-node-gpu|tfjs-node|wasm|cpu, got ${backendArg}`);
const PK: [number, number] = [8, 8];
const log = (s: string) => process.stderr.write(`[bench/finetune] ${s}\n`);

async function loadSplit(prefix: 'train' | 't10k', rows?: number): Promise<ItemSet> {
  const img = await readIdx(join(DATA, `${prefix}-images-idx3-ubyte.gz`));
  const lab = await readIdx(join(DATA, `${prefix}-labels-idx1-ubyte.gz`));
  const all = Int32Array.from(lab.data);
  let pick: Int32Array = Int32Array.from(all.keys());
  if (rows !== undefined) pick = stratifiedCap(pick, all, rows, 1);
  const x = new Float32Array(pick.length * 784);
  pick.forEach((r, i) => {
    for (let p = 0; p < 784; p++) x[i * 784 + p] = img.data[r * 784 + p] / 255;
  });
  return { x, itemShape: [28, 28, 1], labels: Int32Array.from(pick, (r) => all[r]) };
}

function cnn(tf: typeof tfTypes): tfTypes.LayersModel {
  const init = (seed: number) => tf.initializers.heUniform({ seed });
  return tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [28, 28, 1],
        filters: 16,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: init(1),
      }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(2) }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 64, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(3) }),
      tf.layers.globalAveragePooling2d({}),
      tf.layers.dense({ units: 64, kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }),
    ],
  });
}

/** CPU seconds (user + system) this process has used: what a single-threaded job costs, whatever the load. */
const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** Steps/s from step-end timestamps, skipping the first `warmup` steps (kernel setup, JIT). */
function rate(stamps: number[], warmup = 5): number {
  if (stamps.length <= warmup + 1) return NaN;
  return (stamps.length - 1 - warmup) / ((stamps[stamps.length - 1] - stamps[warmup]) / 1000);
}

function peer(steps: number, headSteps: number, threads = 0): Record<string, unknown> {
  if (!existsSync(PYTHON)) return { skipped: `${PYTHON} not found` };
  const args = [
    join(__dirname, 'torch_peer.py'),
    '--data',
    DATA,
    '--steps',
    String(steps),
    '--head-steps',
    String(headSteps),
    '--pk',
    PK.join(','),
    '--threads',
    String(threads),
  ];
  const r = spawnSync(PYTHON, args, { encoding: 'utf8', timeout: 900_000 });
  if (r.status !== 0)
    return { skipped: `PyTorch peer failed (python3-torch installed?): ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}` };
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

async function main(): Promise<void> {
  const load0 = loadavg()[0];
  const rt = await initTfjs(backendArg as 'auto');
  const tf = rt.tf;
  registerWasmTrainingKernels();
  log(`tfjs backend ${rt.backend}; loading Fashion-MNIST from ${DATA}`);
  const train = await loadSplit('train', quick ? 6000 : undefined);
  const val = await loadSplit('t10k', quick ? 1000 : 2000);
  const evaluate = (d: Float32Array, n: number, dim: number, l: Int32Array) => looMapAtR(d, n, dim, l);

  // End to end: one epoch over the training images.
  const model = cnn(tf);
  const stamps: number[] = [];
  let cpuAtWarm = 0;
  let cpuAtLast = 0;
  const e2eStart = Date.now();
  const e2eSettings = resolveSettings({ epochs: 1, lr: 1e-3, pk: PK, seed: 1 });
  const e2eTrainer = await modelTrainer(tf, model, e2eSettings, [28, 28, 1], rt.backend);
  log(`end-to-end training in ${e2eTrainer.shards} thread(s)${e2eTrainer.why ? ` (${e2eTrainer.why})` : ''}`);
  const e2e = await trainLoop(e2eTrainer, train, val, e2eSettings, evaluate, {
    onStep: (s) => {
      stamps.push(performance.now());
      if (stamps.length === 6) cpuAtWarm = cpuSeconds();
      cpuAtLast = cpuSeconds();
      if (s.step % 100 === 0)
        log(`end-to-end step ${s.step}/${s.stepsPerEpoch} loss ${s.loss.toFixed(4)} ${s.stepsPerSecond.toFixed(2)} steps/s`);
    },
  });
  const e2eWall = (Date.now() - e2eStart) / 1000;
  await e2eTrainer.pullWeights();
  e2eTrainer.dispose();
  const [before, after] = e2e.history;
  log(`end-to-end: map@r ${before.val.mapAtR.toFixed(4)} → ${after.val.mapAtR.toFixed(4)}, ${rate(stamps).toFixed(2)} steps/s`);

  // Head only: 5 epochs on 10,000 cached features of the trained CNN.
  const featRows = stratifiedCap(Int32Array.from(train.labels.keys()), train.labels, 10000, 2);
  const featX = new Float32Array(featRows.length * 784);
  featRows.forEach((r, i) => featX.set(train.x!.subarray(r * 784, (r + 1) * 784), i * 784));
  const featSet: ItemSet = { x: featX, itemShape: [28, 28, 1], labels: Int32Array.from(featRows, (r) => train.labels[r]) };
  const tf0 = Date.now();
  const embedder = modelEmbedder(tf, model, [28, 28, 1]);
  const trainF = await embedSet(embedder, featSet);
  const valF = await embedSet(embedder, val);
  const featureSeconds = (Date.now() - tf0) / 1000;
  const headSettings = resolveSettings({ epochs: 5, lr: 1e-3, pk: PK, seed: 2, train: 'head' });
  const headStamps: number[] = [];
  let stepMs = 0;
  let last = 0;
  const headStart = performance.now();
  const headCpu0 = cpuSeconds();
  const headRun = await trainLoop(
    denseHeadTrainer(64, headSettings),
    { x: trainF.data, itemShape: [64], labels: featSet.labels },
    { x: valF.data, itemShape: [64], labels: val.labels },
    headSettings,
    evaluate,
    {
      onStep: (s) => {
        const now = performance.now();
        // Step time = since the previous step, or since the epoch's validation finished.
        if (s.step > 1) stepMs += now - last;
        headStamps.push(now);
        last = now;
      },
    },
  );
  const headWall = (performance.now() - headStart) / 1000;
  const headCpu = cpuSeconds() - headCpu0;
  const headSteps = headStamps.length;
  const hh = headRun.history;
  log(`head: 5 epochs in ${headWall.toFixed(2)} s (map@r ${hh[0].val.mapAtR.toFixed(4)} → ${hh[hh.length - 1].val.mapAtR.toFixed(4)})`);

  log('PyTorch peer (its default threads, then one per core)…');
  const torch = peer(quick ? 30 : 150, quick ? 200 : 1000);
  const torchAllCores = cpus().length > 1 ? peer(quick ? 30 : 150, quick ? 200 : 1000, cpus().length) : undefined;
  // The target is against the faster PyTorch configuration.
  const torchRates = [torch, torchAllCores].map((t) => t?.e2e_steps_per_s).filter((x): x is number => typeof x === 'number');
  const torchE2e = torchRates.length ? Math.max(...torchRates) : undefined;
  const torchCpuRate = typeof torch.e2e_steps_per_cpu_s === 'number' ? torch.e2e_steps_per_cpu_s : undefined;
  const e2eRate = rate(stamps);
  // Head-only steps alone on both sides (the peer times steps only; validation between our epochs
  // is excluded by stepMs, which skips each epoch's first step).
  const headStepRate = (headSteps - headSettings.epochs) / (stepMs / 1000);
  const torchHeadRates = [torch, torchAllCores].map((t) => t?.head_steps_per_s).filter((x): x is number => typeof x === 'number');
  const torchHead = torchHeadRates.length ? Math.max(...torchHeadRates) : undefined;
  const e2eCpuRate = (stamps.length - 6) / (cpuAtLast - cpuAtWarm);
  const result = {
    bench: 'finetune',
    quick,
    machine: {
      cpus: cpus().length,
      loadavg1_start: load0,
      loadavg1_end: loadavg()[0],
      note: 'the 2 cores are shared with other engineers: figures vary with load',
    },
    dataset: {
      name: 'Fashion-MNIST',
      train: train.labels.length,
      heldOut: val.labels.length,
      heldOutFrom: 't10k test images (stratified)',
    },
    model: 'conv16-pool-conv32-pool-conv64-GAP-dense64 (28×28×1)',
    batch: { p: PK[0], k: PK[1], size: PK[0] * PK[1] },
    tfjs: { backend: rt.backend, trainingThreads: e2eTrainer.shards },
    endToEnd: {
      steps: stamps.length,
      stepsPerSecond: e2eRate,
      stepsPerCpuSecond: e2eCpuRate,
      epochSeconds: e2eWall,
      heldOut: { before: before.val, after1Epoch: after.val },
      epochLoss: after.loss,
    },
    headOnly: {
      features: featRows.length,
      featureSeconds,
      epochs: 5,
      steps: headSteps,
      wallSecondsWithValidation: headWall,
      cpuSecondsWithValidation: headCpu,
      trainingStepSeconds: stepMs / 1000,
      stepsPerSecondWithValidation: rate(headStamps),
      stepsPerSecond: headStepRate,
      heldOut: { before: hh[0].val, after: hh[hh.length - 1].val },
    },
    pytorch: torchAllCores ? { defaultThreads: torch, allCores: torchAllCores } : { defaultThreads: torch },
    targets: {
      endToEndVsPytorch: {
        ratio: torchE2e ? e2eRate / torchE2e : null,
        goal: '>= 0.5',
        pass: torchE2e ? e2eRate / torchE2e >= 0.5 : null,
        // Both single-threaded here: steps per CPU-second compares the work, not the share of a loaded machine.
        ratioPerCpuSecond: torchCpuRate ? e2eCpuRate / torchCpuRate : null,
      },
      headOnlyVsPytorch: {
        ratio: torchHead ? headStepRate / torchHead : null,
        goal: '>= 0.8',
        pass: torchHead ? headStepRate / torchHead >= 0.8 : null,
      },
      headOnly5EpochsUnder10s: { seconds: headWall, cpuSeconds: headCpu, pass: headWall < 10, passOnCpuTime: headCpu < 10 },
      mapAfter1EpochVsBefore: {
        ratio: after.val.mapAtR / before.val.mapAtR,
        goal: '>= 1.3',
        pass: after.val.mapAtR / before.val.mapAtR >= 1.3,
      },
    },
  };
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  model.dispose();
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
