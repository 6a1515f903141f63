import type { GraphModel, LayersModel, SymbolicTensor, Tensor } from '@tensorflow/tfjs';
import { LensError } from '../errors';
import { initTfjs, Tf, tfjsGpuNote } from '../runtime/tfjs';
import type { CheckpointConfig, OutputChoice } from './config';
import { endsInSoftmax, GraphNode, penultimateTensor } from './graphWalk';
import { batchCapNote, maxBatchForInput, probeFailure, resolvePreprocess, withMemoryErrors } from './inputSpec';
import { defaultOutputChoice, OutputInfo, producingOp, rankOutputs, Reduction, reduceOutput, type OutputCandidate } from './outputChoice';
import type { Preprocess } from './config';
import { inputDims, LoadCheckpointOptions, LoadedModel } from './model';
import { fileSystemLoadHandler, readModelJson, tfjsModelFormat } from './tfjsIo';

export interface TfjsLoadedModel extends LoadedModel {
  tf: Tf;
  /** The model as stored (for training); `embedModel` is the sub-model ending at the chosen output. */
  layersModel?: LayersModel;
  embedModel?: LayersModel;
  graphModel?: GraphModel;
}

const HEAD_ACTIVATIONS = new Set(['softmax', 'sigmoid']);

function isClassifierHead(layer: { getClassName(): string; getConfig(): Record<string, unknown> }): boolean {
  const cls = layer.getClassName();
  const act = layer.getConfig().activation;
  return cls === 'Softmax' || ((cls === 'Dense' || cls === 'Activation') && typeof act === 'string' && HEAD_ACTIVATIONS.has(act));
}

export async function loadTfjsModel(
  modelJsonPath: string,
  config: CheckpointConfig,
  configFile: string | undefined,
  opts: LoadCheckpointOptions,
): Promise<TfjsLoadedModel> {
  const json = await readModelJson(modelJsonPath);
  const rt = await initTfjs(opts.backend ?? 'auto');
  const { tf } = rt;
  const assumptions: string[] = [];
  const runtimeNotes = rt.skipped.filter((s) => s.reason !== 'not tried').map((s) => `tfjs backend ${s.backend} not used: ${s.reason}`);
  // A machine with a GPU that runs a tfjs model on the CPU says so plainly, with why (issue #18).
  const gpuNote = tfjsGpuNote(rt.backend, rt.skipped);
  if (gpuNote) assumptions.push(gpuNote);
  const format = tfjsModelFormat(json);
  const output: OutputChoice | undefined = opts.output ?? config.output;
  const base = { path: modelJsonPath, backend: rt.backend, tf };
  const wrap = (err: unknown, what: string) =>
    err instanceof LensError ? err : new LensError(`cannot be loaded as a tfjs ${what}: ${(err as Error).message}`, modelJsonPath);

  if (format === 'layers') {
    let model: LayersModel;
    try {
      model = await tf.loadLayersModel(fileSystemLoadHandler(modelJsonPath));
    } catch (err) {
      throw wrap(err, 'LayersModel');
    }
    if (model.inputs.length !== 1) throw new LensError(`has ${model.inputs.length} inputs; expected one image input`, modelJsonPath);
    const { preprocess, assumptions: pa } = resolvePreprocess(model.inputs[0].shape, config, {
      file: modelJsonPath,
      configFile,
      defaultLayout: 'NHWC',
      layoutFixed: true,
    });
    assumptions.push(...pa);
    const capNote = batchCapNote(preprocess);
    if (capNote) assumptions.push(capNote);
    const layers = model.layers;
    const last = layers[layers.length - 1];
    let choice: OutputChoice;
    let layersReduce: Reduction = output?.kind === 'named' && output.pool ? output.pool : 'none';
    if (output) choice = output;
    else if (isClassifierHead(last)) {
      choice = { kind: 'penultimate' };
      assumptions.push(
        `embedding = penultimate layer: the last layer "${last.name}" is a classifier head (${String(last.getConfig().activation ?? last.getClassName())})`,
      );
    } else {
      choice = { kind: 'last' };
      // A backbone ending in a token sequence or a feature map: pool it rather than flatten it.
      const outShape = model.outputs[0].shape.map((d) => d ?? 1);
      const ranked =
        model.outputs.length === 1 ? rankOutputs([{ name: last.name, shape: outShape, op: last.getClassName() }], config.pool) : undefined;
      if (ranked && ranked.reduce !== 'none') {
        layersReduce = ranked.reduce;
        assumptions.push(ranked.why);
      } else assumptions.push(`embedding = last layer "${last.name}"`);
    }
    let tensor: SymbolicTensor;
    let outputName: string;
    if (choice.kind === 'last') {
      tensor = model.outputs[0];
      outputName = last.name;
    } else if (choice.kind === 'named') {
      const layer = layers.find((l) => l.name === choice.name);
      if (!layer)
        throw new LensError(`has no layer "${choice.name}"; its layers are: ${layers.map((l) => l.name).join(', ')}`, modelJsonPath);
      tensor = layer.output as SymbolicTensor;
      outputName = layer.name;
    } else {
      // A trailing pure activation layer belongs to the head; step over it to the dense layer.
      let head = layers.length - 1;
      if (layers[head].getClassName() === 'Activation' || layers[head].getClassName() === 'Softmax') head--;
      if (head < 1) throw new LensError('has too few layers for a penultimate-layer embedding', modelJsonPath);
      const feed = layers[head].input;
      if (Array.isArray(feed))
        throw new LensError(
          `layer "${layers[head].name}" has several inputs; name the embedding output in embedding-lens.json`,
          modelJsonPath,
        );
      tensor = feed;
      outputName = layers[head - 1].name;
    }
    const embedModel = tensor === model.outputs[0] ? model : tf.model({ inputs: model.inputs, outputs: tensor });
    const embed = async (input: Float32Array, n: number) => {
      const y = tf.tidy(() => {
        const x = tf.tensor(input, inputDims(preprocess, n), 'float32');
        const out = embedModel.predict(x) as Tensor;
        return out.reshape([n, -1]);
      });
      try {
        const values = (await y.data()) as Float32Array;
        if (layersReduce === 'none') return values;
        const shape = embedModel.outputs[0].shape.map((d, i) => (i === 0 ? n : (d as number)));
        return reduceOutput(values, n, shape, layersReduce, preprocess.layout);
      } finally {
        y.dispose();
      }
    };
    let dim: number;
    try {
      dim = (await embed(new Float32Array(inputDims(preprocess, 1).reduce((a, b) => a * b, 1)), 1)).length;
    } catch (err) {
      model.dispose();
      throw probeFailure(err, preprocess, modelJsonPath, configFile);
    }
    return {
      ...base,
      kind: 'tfjs-layers',
      inputName: model.inputs[0].name,
      inputShape: model.inputs[0].shape,
      outputName,
      output: choice,
      dim,
      preprocess,
      availableOutputs: layers.map((l) => l.name),
      assumptions,
      runtimeNotes,
      maxBatch: maxBatchForInput(preprocess),
      embed: withMemoryErrors(embed, preprocess, modelJsonPath, configFile),
      layersModel: model,
      embedModel,
      // The sub-model shares the stored model's weights, so disposing the stored model frees both.
      dispose: async () => {
        model.dispose();
      },
    };
  }

  let model: GraphModel;
  try {
    model = await tf.loadGraphModel(fileSystemLoadHandler(modelJsonPath));
  } catch (err) {
    throw wrap(err, 'GraphModel');
  }
  if (model.inputs.length !== 1) throw new LensError(`has ${model.inputs.length} inputs; expected one image input`, modelJsonPath);
  const input = model.inputs[0];
  const { preprocess, assumptions: pa } = resolvePreprocess(input.shape ?? [], config, {
    file: modelJsonPath,
    configFile,
    defaultLayout: 'NHWC',
  });
  assumptions.push(...pa);
  const capNote = batchCapNote(preprocess);
  if (capNote) assumptions.push(capNote);
  const rawNodes = (json.modelTopology as { node?: { name: string; op: string; input?: string[] }[] }).node ?? [];
  const nodes: GraphNode[] = rawNodes.map((n) => ({ name: n.name, op: n.op, inputs: n.input ?? [], outputs: [n.name] }));
  const constants = new Set(rawNodes.filter((n) => n.op === 'Const').map((n) => n.name));
  const outputs = model.outputNodes;
  let choice: OutputChoice;
  let reduce: Reduction = 'none';
  let outputCandidates: OutputCandidate[] | undefined;
  if (output) {
    choice = output;
    if (output.kind === 'named' && output.pool) reduce = output.pool;
  } else {
    // Output shapes from one probe run on zeros: converted graphs rarely record them.
    let infos: OutputInfo[];
    try {
      infos = await probeGraphOutputs(tf, model, input.name, input.shape, preprocess, outputs, nodes);
    } catch (err) {
      model.dispose();
      throw probeFailure(err, preprocess, modelJsonPath, configFile);
    }
    const picked = defaultOutputChoice(infos, config.pool, endsInSoftmax(nodes, outputs[0]), { kind: 'last' });
    ({ choice, reduce, candidates: outputCandidates } = picked);
    assumptions.push(picked.assumption);
  }
  let outputName: string;
  if (choice.kind === 'last') outputName = outputs[0];
  else if (choice.kind === 'named') {
    if (!nodes.some((n) => n.name === choice.name))
      throw new LensError(`has no node "${choice.name}"; its outputs are: ${outputs.join(', ')}`, modelJsonPath);
    outputName = choice.name;
  } else {
    const t = penultimateTensor(nodes, outputs[0], constants);
    if (!t)
      throw new LensError(
        `the output "${outputs[0]}" is not a dense (MatMul) classifier head, so there is no penultimate layer; name the embedding output in embedding-lens.json`,
        modelJsonPath,
      );
    outputName = t;
  }
  let needsAsync = false;
  const fixedBatch = typeof input.shape?.[0] === 'number' && input.shape[0] > 0 ? input.shape[0] : undefined;
  const perItem = inputDims(preprocess, 1).reduce((a, b) => a * b, 1);
  const embed = async (data: Float32Array, n: number) => {
    // A graph exported with a fixed batch takes exactly that many rows: pad, then drop the padding.
    let rows = n;
    if (fixedBatch !== undefined && n !== fixedBatch) {
      if (n > fixedBatch) throw new Error(`batch of ${n} exceeds the model's fixed batch ${fixedBatch}`);
      const padded = new Float32Array(fixedBatch * perItem);
      padded.set(data.subarray(0, n * perItem));
      data = padded;
      rows = fixedBatch;
    }
    const x = tf.tensor(data, inputDims(preprocess, rows), 'float32');
    let y: Tensor | undefined;
    try {
      // execute() is synchronous and quiet; graphs with control flow need executeAsync().
      if (!needsAsync) {
        try {
          y = model.execute({ [input.name]: x }, outputName) as Tensor;
        } catch (err) {
          if (!/executeAsync|dynamic|control flow/i.test((err as Error).message)) throw err;
          needsAsync = true;
        }
      }
      if (needsAsync) y = (await model.executeAsync({ [input.name]: x }, outputName)) as Tensor;
      if (!y) throw new Error('the graph produced no output');
      const values = reduceOutput((await y.data()) as Float32Array, rows, y.shape, reduce, preprocess.layout);
      return values.subarray(0, (values.length / rows) * n);
    } finally {
      x.dispose();
      y?.dispose();
    }
  };
  let dim: number;
  try {
    dim = (await embed(new Float32Array(perItem), 1)).length;
  } catch (err) {
    model.dispose();
    throw probeFailure(err, preprocess, modelJsonPath, configFile);
  }
  return {
    ...base,
    kind: 'tfjs-graph',
    inputName: input.name,
    inputShape: input.shape ?? [],
    outputName,
    output: choice,
    dim,
    preprocess,
    availableOutputs: [...outputs],
    ...(outputCandidates ? { outputCandidates } : {}),
    assumptions,
    runtimeNotes,
    maxBatch: fixedBatch ?? maxBatchForInput(preprocess),
    embed: withMemoryErrors(embed, preprocess, modelJsonPath, configFile),
    graphModel: model,
    dispose: async () => model.dispose(),
  };
}

/** Runs every graph output once on a zero batch (padded to a fixed batch) and reports its shape and producing op. */
async function probeGraphOutputs(
  tf: Tf,
  model: GraphModel,
  inputName: string,
  inputShape: number[] | undefined,
  preprocess: Preprocess,
  outputs: string[],
  nodes: GraphNode[],
): Promise<OutputInfo[]> {
  const rows = typeof inputShape?.[0] === 'number' && inputShape[0] > 0 ? inputShape[0] : 1;
  const x = tf.zeros(inputDims(preprocess, rows), 'float32');
  let ys: Tensor[] = [];
  try {
    let out: Tensor | Tensor[];
    try {
      out = model.execute({ [inputName]: x }, outputs) as Tensor | Tensor[];
    } catch (err) {
      if (!/executeAsync|dynamic|control flow/i.test((err as Error).message)) throw err;
      out = (await model.executeAsync({ [inputName]: x }, outputs)) as Tensor | Tensor[];
    }
    ys = Array.isArray(out) ? out : [out];
    return outputs.map((name, i) => ({ name, shape: [...ys[i].shape], op: producingOp(nodes, name) }));
  } finally {
    x.dispose();
    for (const y of ys) y.dispose();
  }
}
