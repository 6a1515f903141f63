import { resolve } from 'node:path';
import { checkKnown, numberFlag, numberListFlag, parseArgs, ParsedArgs, stringFlag, UsageError } from './args';
import { CAPS } from '../core/limits';
import { cliAbort, writeJson, type CliCommand } from './command';
import { checkOutputs, checkpointInputs, outputFlag } from './outputArgs';
import { writeJsonAtomic } from '../core/io/outputs';
import { stderrProgress } from './progress';
import { GPU_FLAGS, GPU_USAGE, gpuPreferenceFromArgs } from './gpu';
import { computeEmbeddings, defaultCacheDir } from '../core/embed';
import { isBackendSetting } from '../core/runtime/select';
import type { CheckpointConfig, OutputChoice } from '../core/checkpoint';
import { writeNpy } from '../core/io/npy';

const usage = `Usage: embedding-lens embed <checkpoint> [dataset] [options]

Turns a checkpoint and a dataset into an N×D float32 matrix with labels and item paths.
Progress on stderr; a JSON summary (size, backend used, assumptions, skipped images, timings)
on stdout. Results are cached (checkpoint content + dataset files + settings).

  <checkpoint>          model.json (tfjs) or a folder holding one, .onnx, or precomputed
                        embeddings (.npy N×D, projector tensor.tsv [+ metadata.tsv])
  [dataset]             image folder (class subfolders), manifest (.csv/.tsv/.jsonl), IDX files,
                        Ebay_*.txt (SOP), list_eval_partition.txt (In-Shop), or — for precomputed
                        embeddings — a labels file (.npy ints, .json array, one label per line)
  --out FILE.npy        write the N×D matrix; labels, class names, paths and splits go to
                        FILE.meta.json beside it
  --output WHICH        embedding output: last | penultimate | <output or layer name>
  --input-size S        H or H,W (≤ ${CAPS.inputSide.max})        --channels 1|3       --layout NCHW|NHWC
  --mean a[,b,c]        --std a[,b,c]   (pixels in [0,1])    --resize crop|stretch
                        (override embedding-lens.json beside the checkpoint)
  --max-per-class N     stratified subsample: at most N per class
  --max-items N         stratified subsample: at most N items in total
  --seed N              subsample seed (default 0)
  --split NAME          only items of this split (train, test, query, gallery, …)
  --batch-size N        images per inference batch (default 64, at most ${CAPS.batchSize.max})
  --backend B           auto | tfjs-node-gpu | tfjs-node | wasm | cpu (default auto)
${GPU_USAGE}
  --cache-dir DIR       cache folder (default ${defaultCacheDir()})
  --no-cache            neither read nor write the cache
  --json FILE           write the JSON summary to FILE instead of stdout`;

function parseOutput(v: string | undefined): OutputChoice | undefined {
  if (v === undefined) return undefined;
  if (v === 'last' || v === 'penultimate') return { kind: v };
  if (v === '') throw new UsageError('--output needs a value');
  return { kind: 'named', name: v };
}

function parseConfig(args: ParsedArgs): CheckpointConfig {
  const c: CheckpointConfig = {};
  const size = stringFlag(args, 'input-size');
  if (size !== undefined) {
    const [h, w = h] = numberListFlag(args, 'input-size', [], { integer: true, min: 1, cap: CAPS.inputSide });
    if (size.split(',').length > 2) throw new UsageError('--input-size expects H or H,W');
    c.height = h;
    c.width = w;
  }
  const ch = stringFlag(args, 'channels');
  if (ch !== undefined) {
    if (ch !== '1' && ch !== '3') throw new UsageError('--channels expects 1 or 3');
    c.channels = Number(ch) as 1 | 3;
  }
  if (stringFlag(args, 'mean') !== undefined) c.mean = numberListFlag(args, 'mean', []);
  if (stringFlag(args, 'std') !== undefined) c.std = numberListFlag(args, 'std', [], { min: 1e-12 });
  const resize = stringFlag(args, 'resize');
  if (resize !== undefined) {
    if (resize !== 'crop' && resize !== 'stretch') throw new UsageError('--resize expects crop or stretch');
    c.resize = resize;
  }
  const layout = stringFlag(args, 'layout');
  if (layout !== undefined) {
    if (layout !== 'NCHW' && layout !== 'NHWC') throw new UsageError('--layout expects NCHW or NHWC');
    c.layout = layout;
  }
  return c;
}

export const embedCommand: CliCommand = {
  name: 'embed',
  summary: 'Embed a dataset with a checkpoint (tfjs, ONNX or precomputed) into an N×D matrix',
  usage,
  async run(argv) {
    const args = parseArgs(argv, ['no-cache']);
    checkKnown(args, [
      'out',
      'output',
      'input-size',
      'channels',
      'layout',
      'mean',
      'std',
      'resize',
      'max-per-class',
      'max-items',
      'seed',
      'split',
      'batch-size',
      'backend',
      'cache-dir',
      'no-cache',
      'json',
      ...GPU_FLAGS,
    ]);
    if (args.positionals.length < 1 || args.positionals.length > 2) throw new UsageError('expected <checkpoint> [dataset]');
    const [checkpoint, dataset] = args.positionals.map((p) => resolve(p));
    const backend = stringFlag(args, 'backend') ?? 'auto';
    if (!isBackendSetting(backend)) throw new UsageError(`--backend expects auto, tfjs-node-gpu, tfjs-node, wasm or cpu, got "${backend}"`);
    const gpu = gpuPreferenceFromArgs(args);
    const out = outputFlag(args, 'out', ['.npy']);
    const meta = out?.replace(/\.npy$/i, '.meta.json');
    const json = outputFlag(args, 'json', ['.json']);
    const config = parseConfig(args);
    // Before any work: never over an input, a folder or device, or into a missing folder.
    await checkOutputs(
      [
        { flag: '--out', file: out },
        { flag: '--out (its .meta.json)', file: meta },
        { flag: '--json', file: json },
      ],
      [...(await checkpointInputs(checkpoint)), dataset],
    );
    const r = await computeEmbeddings(checkpoint, dataset, {
      backend,
      gpu,
      output: parseOutput(stringFlag(args, 'output')),
      config: Object.keys(config).length ? config : undefined,
      batchSize: numberFlag(args, 'batch-size', 64, { integer: true, min: 1, cap: CAPS.batchSize }),
      dataset: {
        maxPerClass: numberFlag(args, 'max-per-class', 0, { integer: true, min: 0 }),
        maxTotal: numberFlag(args, 'max-items', 0, { integer: true, min: 0 }),
        seed: numberFlag(args, 'seed', 0, { integer: true }),
        split: stringFlag(args, 'split'),
      },
      cacheDir: args.flags.has('no-cache') ? undefined : resolve(stringFlag(args, 'cache-dir') ?? defaultCacheDir()),
      signal: cliAbort.signal,
      onProgress: stderrProgress(),
    });
    const e = r.embeddings;
    const files: Record<string, string> = {};
    if (out && meta) {
      await writeNpy(out, e.vectors, [e.n, e.dim]);
      await writeJsonAtomic(meta, { classNames: e.classNames, labels: Array.from(e.labels), paths: e.paths, split: e.split });
      files.vectors = out;
      files.meta = meta;
    }
    if (r.skipped.count)
      process.stderr.write(
        `skipped ${r.skipped.count} unreadable image(s); first: ${r.skipped.first[0].path} (${r.skipped.first[0].reason})\n`,
      );
    await writeJson(
      {
        n: e.n,
        dim: e.dim,
        classes: e.classNames.length,
        backend: r.backend,
        fromCache: r.fromCache,
        model: r.model,
        // details: how it ran (runtimes passed over; the GPU libraries loaded and from where).
        assumptions: r.assumptions,
        details: r.details,
        skipped: r.skipped,
        dataset: r.dataset,
        timings: r.timings,
        files,
      },
      json,
    );
    return 0;
  },
};
