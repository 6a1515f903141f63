import { createHash } from 'node:crypto';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import {
  loadCheckpoint,
  outputChoiceJson,
  readModelJson,
  resolveCheckpointPath,
  type LoadedModel,
  type Preprocess,
  type TfjsLoadedModel,
} from '../checkpoint';
import { CONFIG_FILE } from '../checkpoint/config';
import { CancelledError, LensError, isCancelled, throwIfAborted } from '../errors';
import { writeFailed, writeJsonAtomic } from '../io/outputs';
import { listEntries } from '../util/atomicDir';
import { registerWasmTrainingKernels } from '../runtime/wasmTrainingKernels';
import { initTfjs } from '../runtime/tfjs';
import type { RunControl } from '../types';
import {
  assertReplaceableOutput,
  assertWritableOutDir,
  defaultOutDir,
  earlierRun,
  FINE_TUNE_FILE,
  replaceEarlierRun,
  runDirFor,
  saveLayersModel,
  writeDirAtomically,
  type EarlierRun,
} from './checkpointWriter';
import { trainLoop, type ItemSet } from './loop';
import { denseHeadTrainer, type Trainer } from './trainers';
import { modelTrainer } from './shardedTrainer';
import { chainLayers, makeHead, setTrainable } from './models';
import { resolveSettings, type EpochReport, type FineTuneOptions, type FineTuneResult, type FineTuneSettings } from './options';
import { classDisjointSplit, datasetSplit, stratifiedCap, type Split } from './split';
import { assertBatchable } from './batches';
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
  return {
    inputSize: [pp.height, pp.width],
    channels: pp.channels,
    mean: pp.mean,
    std: pp.std,
    resize: pp.resize,
    layout: pp.layout,
    ...(pp.resample ? { resample: pp.resample } : {}),
  };
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
  return s.validation === 'split'
    ? datasetSplit(data.labels, data.split, data.source)
    : classDisjointSplit(data.labels, s.valFraction, s.seed, data.source);
}

/**
 * The fine-tune engine, in the calling thread (fineTune() runs it in a worker). Loads the
 * checkpoint, splits the data, trains, and keeps the best epoch written at outDir at all times.
 */
export async function runFineTune(opts: FineTuneOptions, data: TrainingData): Promise<FineTuneResult> {
  const s = resolveSettings(opts);
  const checkpoint = resolveCheckpointPath(opts.checkpoint);
  const outDir = resolve(opts.outDir ?? defaultOutDir(opts.checkpoint));
  await assertWritableOutDir(outDir, checkpoint, opts.dataset);
  // An earlier result at outDir is never replaced by this run's first epochs: the run is written
  // beside it and swapped in only at the end, when it beat it (see finishBesideEarlier).
  const earlier = earlierRun(outDir);
  const writeDir = earlier ? resolve(opts.runDir ?? runDirFor(outDir)) : outDir;
  if (earlier && opts.runDir) assertReplaceableOutput(writeDir);
  const ctl: RunControl = { signal: opts.signal, onProgress: opts.onProgress };

  const rt = await initTfjs(opts.backend ?? 'auto');
  const tf = rt.tf;
  registerWasmTrainingKernels();
  const loaded = await loadCheckpoint(checkpoint, { backend: opts.backend });
  let trainer: Trainer | undefined;
  try {
    if (loaded.kind !== 'tfjs-layers' && s.train !== 'head') {
      throw new LensError(
        `is a ${loaded.kind === 'onnx' ? 'ONNX model' : 'tfjs GraphModel'}, which tfjs cannot train; fine-tune a projection head on its frozen features instead (train: "head", CLI --head-only)`,
        checkpoint,
      );
    }
    const split = pickSplit(data, s);
    let trainRows = split.train;
    if (opts.maxItems) trainRows = stratifiedCap(trainRows, data.labels, opts.maxItems, s.seed);
    // Before features are computed or anything is written: no batch means no training at all.
    assertBatchable(data.labels, trainRows, s.pk[0], s.pk[1], data.source);
    const valRows = stratifiedCap(split.val, data.labels, s.maxValItems, s.seed);
    const labelsOf = (rows: Int32Array) => Int32Array.from(rows, (r) => data.labels[r]);
    // Which classes training saw and which it never did, by name: a comparison after the fine-tune
    // scores the classes it never saw by default (src/core/compare/heldOut.ts reads these).
    const classesOf = (rows: Int32Array) => [...new Set(Array.from(rows, (r) => data.labels[r]))].sort((a, b) => a - b);
    const trainedLabels = classesOf(trainRows);
    const trainedSet = new Set(trainedLabels);
    const valLabels = classesOf(valRows);
    const nameOf = (l: number) => data.classNames[l] ?? String(l);
    const trainedClasses = trainedLabels.map(nameOf);
    const heldOutClasses = valLabels.filter((l) => !trainedSet.has(l)).map(nameOf);
    // Which items (and labels) were validated on: a rerun's best map@r is compared with an earlier
    // result's only when both were measured on the very same validation rows.
    const valFingerprint = createHash('sha256')
      .update(Buffer.from(valRows.buffer, valRows.byteOffset, valRows.byteLength))
      .update(Buffer.from(labelsOf(valRows).buffer))
      .digest('hex')
      .slice(0, 16);

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
          : {
              load: (r) =>
                data.inputs(
                  Int32Array.from(r, (i) => rows[i]),
                  pp,
                  { signal: ctl.signal },
                ),
              itemShape,
              labels: labelsOf(rows),
            };
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
      validation: {
        description: split.description,
        mode: s.validation,
        trainItems: trainRows.length,
        valItems: valRows.length,
        valClasses: split.valClasses,
        rows: valFingerprint,
        trainedClasses,
        heldOutClasses,
      },
      bestEpoch,
      history,
      ...extra,
    });
    let wrote = false;
    // Every path the output holds besides fine-tune.json: recorded in it, so a later run can tell
    // that the folder holds nothing else before replacing it.
    let files: string[] = [];
    const writeJson = (file: string, value: unknown) => writeFile(file, JSON.stringify(value, null, 2) + '\n');
    const onBest = async (epoch: number, history: EpochReport[]) => {
      try {
        await writeDirAtomically(
          writeDir,
          async (tmp) => {
            const fields = await save(tmp);
            // The sidecar says only how to feed the model (what every loader reads); how it was
            // made goes beside it, so loaders that check the sidecar strictly accept it as is.
            await writeJson(join(tmp, CONFIG_FILE), { ...preprocessConfig(loaded.preprocess), ...fields });
            files = listEntries(tmp);
            await writeJson(join(tmp, FINE_TUNE_FILE), meta(history, epoch, { files, complete: false }));
          },
          assertReplaceableOutput,
        );
      } catch (err) {
        throw isCancelled(err) ? err : writeFailed(writeDir, err);
      }
      wrote = true;
    };

    // Each epoch says what it was measured on, so the panel's curves can ("2 held-out classes, 120 items").
    const evaluated = {
      classes: valLabels.length,
      items: valRows.length,
      totalClasses: new Set(data.labels).size,
      totalItems: data.labels.length,
    };
    const result = await trainLoop(trainer, train, val, s, (d, n, dim, l) => ({ ...looMapAtR(d, n, dim, l, s.normalize), ...evaluated }), {
      signal: opts.signal,
      onStep: opts.onStep,
      onEpoch: opts.onEpoch,
      onBest,
    });
    if (!wrote) {
      // Nothing was saved: an error saving epoch 0 (a full disk) is that error, not a cancel.
      if (result.error) throw result.error;
      throw new CancelledError('Cancelled before the first validation; nothing was written');
    }
    // The weights on disk are the best epoch's; only the record's history grows to the full run.
    await writeJsonAtomic(
      join(writeDir, FINE_TUNE_FILE),
      meta(result.history, result.bestEpoch, {
        files,
        complete: !result.cancelled && !result.error,
        ...(result.cancelled ? { cancelled: true } : {}),
        ...(result.error ? { error: result.error.message } : {}),
      }),
    );
    const best = result.history.find((h) => h.epoch === result.bestEpoch)!;
    const complete = !result.cancelled && !result.error;
    const beside = earlier
      ? await finishBesideEarlier(
          earlier,
          writeDir,
          { mapAtR: best.val.mapAtR, dataset: data.source, validation: meta([], 0).validation },
          complete && opts.replaceEarlier === true,
          complete,
        )
      : undefined;
    return {
      outDir: beside?.replaced === false ? writeDir : outDir,
      ...(beside ? { earlier: beside } : {}),
      history: result.history,
      best: { epoch: best.epoch, mapAtR: best.val.mapAtR, recallAt1: best.val.recallAt1 },
      cancelled: result.cancelled,
      ...(result.error ? { error: result.error.message } : {}),
      backend: rt.backend,
      validation: { mode: s.validation, ...evaluated },
    };
  } finally {
    trainer?.dispose();
    await loaded.dispose();
  }
}

/**
 * The end of a run written beside an earlier result: it replaces the earlier one only when it
 * finished, and either beat its best validation map@r on the same validation split or the caller
 * asked for it (`force`: the demo, which owns both). A cancelled or failed run never replaces it.
 */
async function finishBesideEarlier(
  earlier: EarlierRun,
  runDir: string,
  now: { mapAtR: number; dataset: string; validation: unknown },
  force: boolean,
  complete: boolean,
): Promise<NonNullable<FineTuneResult['earlier']>> {
  const comparable = earlier.dataset === now.dataset && JSON.stringify(earlier.validation) === JSON.stringify(now.validation);
  const better = comparable && now.mapAtR > earlier.mapAtR;
  const replaced = complete && (better || force);
  if (replaced) await replaceEarlierRun(runDir, earlier.dir);
  return { outDir: earlier.dir, runDir, mapAtR: earlier.mapAtR, comparable, replaced };
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
    return { output: outputChoiceJson(loaded.output), head: { backbone, model: 'head.json', dim: loaded.dim } };
  };
}
