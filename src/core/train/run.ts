import { copyFile, mkdir, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import { loadCheckpoint, readModelJson, resolveCheckpointPath, type LoadedModel, type OutputChoice, type Preprocess, type TfjsLoadedModel } from '../checkpoint';
import { CancelledError, LensError, throwIfAborted } from '../errors';
import { registerWasmTrainingKernels } from '../runtime/wasmTrainingKernels';
import { initTfjs } from '../runtime/tfjs';
import type { RunControl } from '../types';
import { assertWritableOutDir, defaultOutDir, FINE_TUNE_FILE, saveLayersModel, SIDECAR, writeDirAtomically } from './checkpointWriter';
import { trainLoop, type ItemSet } from './loop';
import { denseHeadTrainer, type Trainer } from './trainers';
import { modelTrainer } from './shardedTrainer';
import { chainLayers, makeHead, setTrainable } from './models';
import { resolveSettings, type EpochReport, type FineTuneOptions, type FineTuneResult, type FineTuneSettings } from './options';
import { classDisjointSplit, datasetSplit, stratifiedCap, type Split } from './split';
import { looMapAtR } from './validation';

type Tf = typeof tfTypes;

/** The dataset as the trainer sees it: labels, an optional split, and a way to get model inputs. */
export interface TrainingData {
  /** Path shown in messages and recorded in the sidecar. */
  source: string;
  labels: Int32Array;
  classNames: string[];
  split?: string[];
  /** Preprocessed model inputs for these rows, laid out as `pp` says (n×H×W×C or n×C×H×W). */
  inputs(rows: Int32Array, pp: Preprocess, ctl: RunControl): Promise<Float32Array>;
}

const FEATURE_CHUNK = 256;
/** Decoded training images kept in memory up to this size; beyond it they are decoded per batch. */
const IN_MEMORY_BYTES = 1.5 * 2 ** 30;

/** Carries the source's preprocessing into the new sidecar, so the new checkpoint is fed the same way. */
function preprocessConfig(pp: Preprocess): Record<string, unknown> {
  return { inputSize: [pp.height, pp.width], channels: pp.channels, mean: pp.mean, std: pp.std, resize: pp.resize, layout: pp.layout };
}

function outputConfig(o: OutputChoice): string | { name: string } {
  return o.kind === 'named' ? { name: o.name } : o.kind;
}

async function featuresOf(model: LoadedModel, data: TrainingData, rows: Int32Array, ctl: RunControl, stage: string): Promise<Float32Array> {
  const out = new Float32Array(rows.length * model.dim);
  const chunk = Math.min(FEATURE_CHUNK, model.maxBatch);
  const t0 = Date.now();
  for (let s = 0; s < rows.length; s += chunk) {
    throwIfAborted(ctl.signal);
    const part = rows.subarray(s, Math.min(rows.length, s + chunk));
    const x = await data.inputs(part, model.preprocess, { signal: ctl.signal });
    out.set(await model.embed(x, part.length), s * model.dim);
    const done = s + part.length;
    const rate = done / Math.max((Date.now() - t0) / 1000, 1e-3);
    ctl.onProgress?.({ stage, done, total: rows.length, rate, etaSeconds: (rows.length - done) / rate });
  }
  return out;
}

function pickSplit(data: TrainingData, s: FineTuneSettings): Split {
  return s.validation === 'split' ? datasetSplit(data.labels, data.split, data.source) : classDisjointSplit(data.labels, s.valFraction, s.seed, data.source);
}

/**
 * The fine-tune engine, in the calling thread (fineTune() runs it in a worker). Loads the
 * checkpoint, splits the data, trains, and keeps the best epoch written at outDir at all times.
 */
export async function runFineTune(opts: FineTuneOptions, data: TrainingData): Promise<FineTuneResult> {
  const s = resolveSettings(opts);
  const checkpoint = resolveCheckpointPath(opts.checkpoint);
  const outDir = opts.outDir ?? defaultOutDir(opts.checkpoint);
  assertWritableOutDir(outDir, checkpoint);
  const ctl: RunControl = { signal: opts.signal, onProgress: opts.onProgress };

  const rt = await initTfjs(opts.backend ?? 'auto');
  const tf = rt.tf;
  registerWasmTrainingKernels();
  const loaded = await loadCheckpoint(checkpoint, { backend: opts.backend });
  let trainer: Trainer | undefined;
  try {
    if (loaded.kind !== 'tfjs-layers' && s.train !== 'head') {
      throw new LensError(`is a ${loaded.kind === 'onnx' ? 'ONNX model' : 'tfjs GraphModel'}, which tfjs cannot train; fine-tune a projection head on its frozen features instead (train: "head", CLI --head-only)`, checkpoint);
    }
    const split = pickSplit(data, s);
    let trainRows = split.train;
    if (opts.maxItems) trainRows = stratifiedCap(trainRows, data.labels, opts.maxItems, s.seed);
    const valRows = stratifiedCap(split.val, data.labels, s.maxValItems, s.seed);
    const labelsOf = (rows: Int32Array) => Int32Array.from(rows, (r) => data.labels[r]);

    let train: ItemSet;
    let val: ItemSet;
    let save: (dir: string) => Promise<Record<string, unknown>>;
    let trainingThreads = 1;
    if (s.train === 'head') {
      // Features once, through whatever runs the backbone (onnxruntime, GraphModel, LayersModel).
      const trainF = await featuresOf(loaded, data, trainRows, ctl, 'Backbone features (train)');
      const valF = await featuresOf(loaded, data, valRows, ctl, 'Backbone features (validation)');
      const headTrainer = denseHeadTrainer(loaded.dim, s);
      const head = makeHead(tf, loaded.dim);
      trainer = headTrainer;
      train = { x: trainF, itemShape: [loaded.dim], labels: labelsOf(trainRows) };
      val = { x: valF, itemShape: [loaded.dim], labels: labelsOf(valRows) };
      const saveHead = headSaver(tf, loaded, head);
      save = async (dir) => {
        const [w, b] = headTrainer.weights();
        tf.tidy(() => head.setWeights([tf.tensor2d(w, [loaded.dim, loaded.dim]), tf.tensor1d(b)]));
        return saveHead(dir);
      };
    } else {
      const tl = loaded as TfjsLoadedModel;
      const model = tl.embedModel!;
      setTrainable(model, s.train, checkpoint);
      const pp = loaded.preprocess;
      const itemShape = [pp.height, pp.width, pp.channels];
      // On wasm, the batch is split across worker threads (one engine each) where that is exact.
      const modelTraining = await modelTrainer(tf, model, s, itemShape, rt.backend);
      trainer = modelTraining;
      trainingThreads = modelTraining.shards;
      const perItem = 4 * itemShape.reduce((a, b) => a * b, 1);
      const inMemory = (rows: Int32Array) => rows.length * perItem <= IN_MEMORY_BYTES;
      // Small sets are decoded once; larger ones batch by batch, so memory stays bounded.
      const itemSet = async (rows: Int32Array): Promise<ItemSet> =>
        inMemory(rows)
          ? { x: await data.inputs(rows, pp, ctl), itemShape, labels: labelsOf(rows) }
          : { load: (r) => data.inputs(Int32Array.from(r, (i) => rows[i]), pp, { signal: ctl.signal }), itemShape, labels: labelsOf(rows) };
      train = await itemSet(trainRows);
      val = await itemSet(valRows);
      save = async (dir) => {
        await modelTraining.pullWeights();
        await saveLayersModel(tf, model, dir, 'model');
        return { output: 'last' };
      };
    }

    const meta = (history: EpochReport[], bestEpoch: number, extra: Record<string, unknown> = {}) => ({
      source: checkpoint,
      dataset: data.source,
      createdAt: new Date().toISOString(),
      backend: rt.backend,
      trainingThreads,
      settings: s,
      validation: { description: split.description, trainItems: trainRows.length, valItems: valRows.length, valClasses: split.valClasses },
      bestEpoch,
      history,
      ...extra,
    });
    let wrote = false;
    const writeJson = (file: string, value: unknown) => writeFile(file, JSON.stringify(value, null, 2) + '\n');
    const onBest = async (epoch: number, history: EpochReport[]) => {
      await writeDirAtomically(outDir, async (tmp) => {
        const fields = await save(tmp);
        // The sidecar says only how to feed the model (what every loader reads); how it was
        // made goes beside it, so loaders that check the sidecar strictly accept it as is.
        await writeJson(join(tmp, SIDECAR), { ...preprocessConfig(loaded.preprocess), ...fields });
        await writeJson(join(tmp, FINE_TUNE_FILE), meta(history, epoch, { complete: false }));
      });
      wrote = true;
    };

    const result = await trainLoop(trainer, train, val, s, (d, n, dim, l) => looMapAtR(d, n, dim, l, s.normalize), {
      signal: opts.signal,
      onStep: opts.onStep,
      onEpoch: opts.onEpoch,
      onBest,
    });
    if (!wrote) throw new CancelledError('Cancelled before the first validation; nothing was written');
    // The weights on disk are the best epoch's; only the record's history grows to the full run.
    const tmpRecord = join(outDir, `.${FINE_TUNE_FILE}.tmp`);
    await writeJson(tmpRecord, meta(result.history, result.bestEpoch, {
      complete: !result.cancelled && !result.error,
      ...(result.cancelled ? { cancelled: true } : {}),
      ...(result.error ? { error: result.error.message } : {}),
    }));
    await rename(tmpRecord, join(outDir, FINE_TUNE_FILE));
    const best = result.history.find((h) => h.epoch === result.bestEpoch)!;
    return {
      outDir,
      history: result.history,
      best: { epoch: best.epoch, mapAtR: best.val.mapAtR, recallAt1: best.val.recallAt1 },
      cancelled: result.cancelled,
      ...(result.error ? { error: result.error.message } : {}),
      backend: rt.backend,
    };
  } finally {
    trainer?.dispose();
    await loaded.dispose();
  }
}

/**
 * How a head-only result is saved. A tfjs LayersModel backbone and the head become one
 * LayersModel (an ordinary checkpoint). An ONNX or GraphModel backbone is copied beside the head
 * (head.json + head.weights.bin, a tfjs LayersModel) and the sidecar's "head" field chains them:
 * loaders embed with the backbone at `output`, then apply the head.
 */
function headSaver(tf: Tf, loaded: LoadedModel, head: tfTypes.LayersModel): (dir: string) => Promise<Record<string, unknown>> {
  if (loaded.kind === 'tfjs-layers') {
    return async (dir) => {
      const chained = chainLayers(tf, (loaded as TfjsLoadedModel).embedModel!, head);
      await saveLayersModel(tf, chained, dir, 'model');
      return { output: 'last' };
    };
  }
  return async (dir) => {
    let backbone: string;
    if (loaded.kind === 'onnx') {
      backbone = basename(loaded.path);
      await copyFile(loaded.path, join(dir, backbone));
    } else {
      backbone = 'model.json';
      const m = await readModelJson(loaded.path);
      await copyFile(loaded.path, join(dir, backbone));
      const srcDir = dirname(loaded.path);
      for (const g of m.weightsManifest ?? []) {
        for (const p of g.paths) {
          await mkdir(dirname(join(dir, p)), { recursive: true });
          await copyFile(join(srcDir, p), join(dir, p));
        }
      }
    }
    await saveLayersModel(tf, head, dir, 'head');
    return { output: outputConfig(loaded.output), head: { backbone, model: 'head.json', dim: loaded.dim } };
  };
}
