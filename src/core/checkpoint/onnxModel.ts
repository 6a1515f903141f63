import { dirname } from 'node:path';
import type * as ortTypes from 'onnxruntime-node';
import type { InferenceSession } from 'onnxruntime-node';
import { openRemoteSession, type RemoteSession, type SessionLike } from '../gpu/cudaRunner';
import { findCudaLibraries, howToGetLibraries } from '../gpu/libraryPaths';
import type { WireTensor } from '../gpu/runnerProtocol';
import { describeLoaded, explainGpuFailure } from '../gpu/status';
import { LensError } from '../errors';
import { loadOrt, ortSessionPlan, probeOrt } from '../runtime/onnx';
import type { CheckpointConfig, OutputChoice } from './config';
import { endsInSoftmax, penultimateTensor } from './graphWalk';
import { batchCapNote, maxBatchForInput, probeFailure, resolvePreprocess, withMemoryErrors } from './inputSpec';
import { defaultOutputChoice, OutputInfo, producingOp, Reduction, reduceOutput, type OutputCandidate } from './outputChoice';
import { inputDims, LoadCheckpointOptions, LoadedModel } from './model';
import { addGraphOutput, externalDataRefs, OnnxGraphInfo, readOnnxGraph, type ExternalDataRef } from './onnxProto';
import { confinedPath, readRegularFile, regularFileSize } from '../io/safeFile';

/** protobuf caps a message at 2 GiB; larger models keep their weights as external data. */
export const MAX_ONNX_BYTES = 2 * 2 ** 30;

/**
 * Checks every external-data reference before onnxruntime sees the model: the file must lie inside
 * the model's folder (a "location" of ../../etc/passwd or /dev/zero is refused without opening it),
 * be a regular file, and hold the bytes offset + length it promises.
 */
export async function checkExternalData(file: string, refs: ExternalDataRef[]): Promise<string[]> {
  const dir = dirname(file);
  const files = new Set<string>();
  for (const r of refs) {
    const what = `tensor "${r.tensor}" external data location ${JSON.stringify(r.location)}`;
    const path = await confinedPath(dir, r.location, file, what);
    const size = await regularFileSize(path, 'an external data file beside the model', file, what);
    const okNum = (x: number | undefined) => x === undefined || (Number.isSafeInteger(x) && x >= 0);
    if (!okNum(r.offset) || !okNum(r.length))
      throw new LensError(`${what} has offset ${r.offset} / length ${r.length}; expected non-negative integers`, file);
    if (r.offset + (r.length ?? 0) > size) {
      throw new LensError(
        `${what} asks for bytes ${r.offset}…${r.offset + (r.length ?? 0)} but that file holds ${size}; truncated external data?`,
        file,
      );
    }
    files.add(path);
  }
  return [...files];
}

export async function loadOnnxModel(
  file: string,
  config: CheckpointConfig,
  configFile: string | undefined,
  opts: LoadCheckpointOptions,
): Promise<LoadedModel> {
  const bytes: Uint8Array = await readRegularFile(file, { expected: 'an ONNX model', maxBytes: MAX_ONNX_BYTES });
  if (bytes.length === 0) throw new LensError('is empty; expected an ONNX model', file);
  let graph: OnnxGraphInfo;
  let refs: ExternalDataRef[];
  try {
    graph = readOnnxGraph(bytes);
    refs = externalDataRefs(bytes);
  } catch (err) {
    throw new LensError(`is not a valid ONNX model (${(err as Error).message}) — truncated or not ONNX`, file);
  }
  await checkExternalData(file, refs);
  const ort = loadOrt();
  const pref = opts.gpu;
  const available = probeOrt(ort, pref);
  const plan = ortSessionPlan(opts.backend ?? 'auto', available, opts.threads, undefined, pref?.device ?? 0);
  const assumptions: string[] = [];
  const skipped = plan.selection.skipped.map((s) => `onnxruntime ${s.backend} provider not used: ${s.reason}`);
  // On a machine with an NVIDIA driver a CPU run is news (the GPU runtime is missing): said with the
  // notes, not behind "details" as it is where there is no GPU to miss.
  const runtimeNotes = available.gpu === true ? [] : skipped;
  if (available.gpu === true) assumptions.push(...skipped);
  let provider = plan.selection.chosen;
  /** Set while the session lives in the GPU runner process (the provider Enable GPU downloaded). */
  let remote: RemoteSession | undefined;
  const toCpu = (line: string) => {
    assumptions.push(line);
    provider = 'cpu';
    plan.options.executionProviders = ['cpu'];
    remote = undefined;
  };
  const local = (s: InferenceSession): SessionLike => ({
    inputNames: s.inputNames,
    outputNames: s.outputNames,
    inputMetadata: s.inputMetadata,
    run: async (feeds, names) => {
      const tensors: Record<string, ortTypes.Tensor> = {};
      for (const [k, t] of Object.entries(feeds)) tensors[k] = new ort.Tensor(t.type as 'float32', t.data as Float32Array, t.dims);
      return (await s.run(tensors, names)) as unknown as Record<string, WireTensor>;
    },
    release: () => s.release(),
  });

  // External data is resolved relative to the model's path; from a buffer onnxruntime would look in the cwd.
  const create = async (model: Uint8Array): Promise<SessionLike> => {
    const source = refs.length && model === bytes ? file : model;
    if (provider === 'cuda' && available.providerDir) {
      // The downloaded provider runs in a child process whose library path holds CUDA and cuDNN.
      const libs = findCudaLibraries({ python: pref?.python });
      if (libs.missing.length) {
        toCpu(
          `GPU not used — ${libs.missing.map((l) => `${l.soname} (${l.what})`).join(', ')} not found in ${libs.searched.length} folders (LD_LIBRARY_PATH, CUDA, conda, Python's nvidia-* wheels); ${howToGetLibraries(libs.missing, pref?.python)}. Running on the CPU.`,
        );
      } else {
        try {
          remote = await openRemoteSession(source, plan.options, {
            provider: 'cuda',
            deviceId: pref?.device ?? 0,
            ortBinDir: available.providerDir,
            libraryDirs: libs.dirs,
          });
          return remote;
        } catch (err) {
          toCpu(explainGpuFailure((err as Error).message, pref?.python));
        }
      }
    }
    try {
      return local(await ort.InferenceSession.create(source as Uint8Array, plan.options));
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
  /** The bytes the current session was made from (with an added output, when one was needed). */
  let sessionModel = bytes;

  const inputs = session.inputNames.filter((n) => !graph.initializers.has(n));
  if (inputs.length !== 1) throw new LensError(`has ${inputs.length} inputs (${inputs.join(', ')}); expected one image input`, file);
  const inputName = inputs[0];
  const meta = session.inputMetadata[session.inputNames.indexOf(inputName)];
  if (!meta?.isTensor || meta.type !== 'float32') {
    throw new LensError(
      `input "${inputName}" is ${meta?.isTensor ? `a ${meta.type} tensor` : 'not a tensor'}; expected a float32 image tensor`,
      file,
    );
  }
  const shape = meta.shape as (number | string)[];
  const { preprocess, assumptions: pa } = resolvePreprocess(shape, config, { file, configFile, defaultLayout: 'NCHW' });
  assumptions.push(...pa);
  const capNote = batchCapNote(preprocess);
  if (capNote) assumptions.push(capNote);

  const outputs = session.outputNames;
  const fixedBatch = typeof shape[0] === 'number' && shape[0] > 0 ? shape[0] : undefined;
  const perItem = preprocess.height * preprocess.width * preprocess.channels;
  /** One run feeding `n` images (padded to a fixed batch); returns the named outputs and the rows fed. */
  const run = async (input: Float32Array, n: number, names: string[]) => {
    let rows = n;
    let data = input.length === n * perItem ? input : input.subarray(0, n * perItem);
    if (fixedBatch !== undefined && n !== fixedBatch) {
      if (n > fixedBatch) throw new Error(`batch of ${n} exceeds the model's fixed batch ${fixedBatch}`);
      const padded = new Float32Array(fixedBatch * perItem);
      padded.set(data);
      data = padded;
      rows = fixedBatch;
    }
    const tensor: WireTensor = { type: 'float32', data, dims: inputDims(preprocess, rows) };
    return { result: await session.run({ [inputName]: tensor }, names), rows };
  };

  /**
   * A batch that fails inside the GPU runner (out of GPU memory, a crashed CUDA call) is run again
   * on the CPU in this process, and the model says so — never a failed run, never a CPU run under
   * the GPU label.
   */
  let loaded: LoadedModel | undefined;
  const runOrFallBack = async (input: Float32Array, n: number, names: string[]) => {
    try {
      return await run(input, n, names);
    } catch (err) {
      if (!remote) throw err;
      const gone = remote;
      toCpu(explainGpuFailure((err as Error).message, pref?.python));
      // After load the model object exists and is relabelled; during the load probes it is built from `provider`.
      if (loaded) loaded.backend = 'onnxruntime-cpu';
      await gone.release().catch(() => undefined);
      session = await create(sessionModel);
      return run(input, n, names);
    }
  };
  let choice: OutputChoice;
  let reduce: Reduction = 'none';
  let outputCandidates: OutputCandidate[] | undefined;
  const requested = opts.output ?? config.output;
  if (requested) {
    choice = requested;
    if (requested.kind === 'named' && requested.pool) reduce = requested.pool;
  } else {
    // Shapes come from a probe run: exported graphs often leave output shapes symbolic or absent.
    let infos: OutputInfo[];
    try {
      const { result } = await runOrFallBack(new Float32Array(perItem), 1, [...outputs]);
      infos = outputs.map((name) => ({ name, shape: [...result[name].dims], op: producingOp(graph.nodes, name) }));
    } catch (err) {
      await session.release();
      throw probeFailure(err, preprocess, file, configFile);
    }
    const picked = defaultOutputChoice(infos, config.pool, endsInSoftmax(graph.nodes, outputs[0]), { kind: 'named', name: outputs[0] });
    ({ choice, reduce, candidates: outputCandidates } = picked);
    assumptions.push(picked.assumption);
  }
  let outputName: string;
  if (choice.kind === 'last') outputName = outputs[0];
  else if (choice.kind === 'named') outputName = choice.name;
  else {
    const t = penultimateTensor(graph.nodes, outputs[0], graph.initializers);
    if (!t)
      throw new LensError(
        `the output "${outputs[0]}" is not a dense (Gemm/MatMul) classifier head, so there is no penultimate layer; name the embedding output in embedding-lens.json`,
        file,
      );
    outputName = t;
  }
  if (!outputs.includes(outputName)) {
    const inner = graph.nodes.some((n) => n.outputs.includes(outputName));
    if (!inner) throw new LensError(`has no output or inner tensor "${outputName}"; its outputs are: ${outputs.join(', ')}`, file);
    if (refs.length)
      throw new LensError(
        `keeps its weights as external data, so the inner tensor "${outputName}" cannot be added as an output; name one of its outputs (${outputs.join(', ')}) in embedding-lens.json`,
        file,
      );
    await session.release();
    sessionModel = addGraphOutput(bytes, outputName);
    session = await create(sessionModel);
  }

  const embed = async (input: Float32Array, n: number): Promise<Float32Array> => {
    const { result, rows } = await runOrFallBack(input, n, [outputName]);
    const out = result[outputName];
    if (out.type !== 'float32') throw new LensError(`output "${outputName}" is ${out.type}; expected float32`, file);
    const values = reduceOutput(out.data as Float32Array, rows, [...out.dims], reduce, preprocess.layout);
    const per = values.length / rows;
    return values.subarray(0, n * per);
  };
  let dim: number;
  try {
    dim = (await embed(new Float32Array(perItem), 1)).length;
  } catch (err) {
    await session.release();
    throw probeFailure(err, preprocess, file, configFile);
  }
  // Which CUDA, cuDNN and provider the runner loaded, and from where (cuDNN loads at the first run, so after the probe).
  if (remote) runtimeNotes.push(describeLoaded(await remote.libraries().catch(() => remote!.librariesAtCreate), pref?.device ?? 0));
  loaded = {
    kind: 'onnx',
    path: file,
    inputName,
    inputShape: shape,
    outputName,
    output: choice,
    dim,
    preprocess,
    availableOutputs: [...outputs],
    ...(outputCandidates ? { outputCandidates } : {}),
    backend: provider === 'cuda' ? 'onnxruntime-cuda' : 'onnxruntime-cpu',
    assumptions,
    runtimeNotes,
    maxBatch: fixedBatch ?? maxBatchForInput(preprocess),
    embed: withMemoryErrors(embed, preprocess, file, configFile),
    dispose: () => session.release(),
  };
  return loaded;
}
