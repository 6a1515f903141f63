import { readFile } from 'node:fs/promises';
import type { InferenceSession } from 'onnxruntime-node';
import { LensError } from '../errors';
import { loadOrt, ortSessionPlan, probeOrt } from '../runtime/onnx';
import type { CheckpointConfig, OutputChoice } from './config';
import { endsInSoftmax, penultimateTensor } from './graphWalk';
import { resolvePreprocess } from './inputSpec';
import { inputDims, LoadCheckpointOptions, LoadedModel } from './model';
import { addGraphOutput, OnnxGraphInfo, readOnnxGraph } from './onnxProto';

const EMBEDDING_NAME = /emb|feat|descriptor|vector/i;

export async function loadOnnxModel(file: string, config: CheckpointConfig, configFile: string | undefined, opts: LoadCheckpointOptions): Promise<LoadedModel> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw new LensError(`cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); expected an ONNX model`, file);
  }
  if (bytes.length === 0) throw new LensError('is empty; expected an ONNX model', file);
  let graph: OnnxGraphInfo;
  try {
    graph = readOnnxGraph(bytes);
  } catch (err) {
    throw new LensError(`is not a valid ONNX model (${(err as Error).message}) — truncated or not ONNX`, file);
  }
  const ort = loadOrt();
  const plan = ortSessionPlan(opts.backend ?? 'auto', probeOrt(ort), opts.threads);
  const assumptions = plan.selection.skipped.map((s) => `onnxruntime ${s.backend} provider not used: ${s.reason}`);
  let provider = plan.selection.chosen;

  const create = async (model: Uint8Array): Promise<InferenceSession> => {
    try {
      return await ort.InferenceSession.create(model, plan.options);
    } catch (err) {
      if (provider === 'cuda') {
        // The provider library can be present yet fail to initialise (driver/toolkit mismatch).
        assumptions.push(`onnxruntime cuda provider failed (${(err as Error).message.split('\n')[0]}); using the CPU`);
        provider = 'cpu';
        plan.options.executionProviders = ['cpu'];
        return create(model);
      }
      throw new LensError(`onnxruntime cannot load this model: ${(err as Error).message.split('\n')[0]}`, file);
    }
  };
  let session = await create(bytes);

  const inputs = session.inputNames.filter((n) => !graph.initializers.has(n));
  if (inputs.length !== 1) throw new LensError(`has ${inputs.length} inputs (${inputs.join(', ')}); expected one image input`, file);
  const inputName = inputs[0];
  const meta = session.inputMetadata[session.inputNames.indexOf(inputName)];
  if (!meta?.isTensor || meta.type !== 'float32') {
    throw new LensError(`input "${inputName}" is ${meta?.isTensor ? `a ${meta.type} tensor` : 'not a tensor'}; expected a float32 image tensor`, file);
  }
  const shape = meta.shape as (number | string)[];
  const { preprocess, assumptions: pa } = resolvePreprocess(shape, config, { file, configFile, defaultLayout: 'NCHW' });
  assumptions.push(...pa);

  const outputs = session.outputNames;
  let choice: OutputChoice;
  const requested = opts.output ?? config.output;
  if (requested) choice = requested;
  else if (endsInSoftmax(graph.nodes, outputs[0])) {
    choice = { kind: 'penultimate' };
    assumptions.push(`embedding = penultimate layer: the output "${outputs[0]}" is a softmax`);
  } else {
    const named = outputs.length > 1 ? outputs.find((o) => EMBEDDING_NAME.test(o)) : undefined;
    choice = { kind: 'named', name: named ?? outputs[0] };
    assumptions.push(`embedding = output "${named ?? outputs[0]}"${outputs.length > 1 ? ` (of ${outputs.join(', ')})` : ''}`);
  }
  let outputName: string;
  if (choice.kind === 'last') outputName = outputs[0];
  else if (choice.kind === 'named') outputName = choice.name;
  else {
    const t = penultimateTensor(graph.nodes, outputs[0], graph.initializers);
    if (!t) throw new LensError(`the output "${outputs[0]}" is not a dense (Gemm/MatMul) classifier head, so there is no penultimate layer; name the embedding output in embedding-lens.json`, file);
    outputName = t;
  }
  if (!outputs.includes(outputName)) {
    const inner = graph.nodes.some((n) => n.outputs.includes(outputName));
    if (!inner) throw new LensError(`has no output or inner tensor "${outputName}"; its outputs are: ${outputs.join(', ')}`, file);
    await session.release();
    session = await create(addGraphOutput(bytes, outputName));
  }

  const fixedBatch = typeof shape[0] === 'number' && shape[0] > 0 ? shape[0] : undefined;
  const perItem = preprocess.height * preprocess.width * preprocess.channels;
  const embed = async (input: Float32Array, n: number): Promise<Float32Array> => {
    let rows = n;
    let data = input.length === n * perItem ? input : input.subarray(0, n * perItem);
    if (fixedBatch !== undefined && n !== fixedBatch) {
      if (n > fixedBatch) throw new Error(`batch of ${n} exceeds the model's fixed batch ${fixedBatch}`);
      const padded = new Float32Array(fixedBatch * perItem);
      padded.set(data);
      data = padded;
      rows = fixedBatch;
    }
    const tensor = new ort.Tensor('float32', data, inputDims(preprocess, rows));
    const result = await session.run({ [inputName]: tensor }, [outputName]);
    const out = result[outputName];
    const values = out.data as Float32Array;
    if (out.type !== 'float32') throw new LensError(`output "${outputName}" is ${out.type}; expected float32`, file);
    const per = values.length / rows;
    return values.subarray(0, n * per);
  };
  const dim = (await embed(new Float32Array(perItem), 1)).length;
  return {
    kind: 'onnx', path: file, inputName, inputShape: shape, outputName, output: choice, dim, preprocess, availableOutputs: [...outputs],
    backend: provider === 'cuda' ? 'onnxruntime-cuda' : 'onnxruntime-cpu', assumptions, maxBatch: fixedBatch ?? Infinity, embed,
    dispose: () => session.release(),
  };
}
