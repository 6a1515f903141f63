import { resolve } from 'node:path';
import { runInspection } from '../core/inspect/pipeline';
import { writeReport } from '../core/report/writeReport';
import { checkKnown, numberFlag, parseArgs, stringFlag, UsageError } from './args';
import { cliAbort, writeJson, type CliCommand } from './command';
import { checkOutputs, checkpointInputs, outputFlag } from './outputArgs';
import { stderrProgress } from './progress';
import { inspectionSummary, SETTINGS_BOOLEANS, SETTINGS_FLAGS, SETTINGS_USAGE, settingsFromArgs } from './inspectFlags';

const usage = `Usage: embedding-lens inspect <checkpoint> [dataset] [--out report.html] [options]

Everything the Inspect Embeddings panel shows, headless: embeddings, retrieval metrics (SPEC §2),
per-class geometry, the EET breakdown and the PCA/UMAP map. Prints a JSON summary on stdout (or to
--json) and, with --out, writes a self-contained HTML report (no network needed to open it).

  <checkpoint>          model.json (tfjs), .onnx, or precomputed embeddings (.npy, tensor.tsv)
  [dataset]             image folder, manifest, IDX files, SOP/In-Shop lists, or a labels file
  --out FILE.html       write the HTML report
  --json FILE           write the JSON summary to FILE instead of stdout
  --theme T             report theme: auto (viewer's system setting) | light | dark
  --thumbnails N        inline thumbnails for at most N items (default 5000; 0 = none)

${SETTINGS_USAGE}`;

export const inspectCommand: CliCommand = {
  name: 'inspect',
  summary: 'inspect a checkpoint on a dataset: metrics, EET breakdown, map; HTML report with --out',
  usage,
  async run(argv) {
    const args = parseArgs(argv, [...SETTINGS_BOOLEANS]);
    checkKnown(args, [...SETTINGS_FLAGS, ...SETTINGS_BOOLEANS, 'out', 'json', 'theme', 'thumbnails']);
    const [checkpoint, dataset, ...extra] = args.positionals;
    if (!checkpoint) throw new UsageError('a checkpoint is required');
    if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
    const { settings, cacheDir } = settingsFromArgs(args);
    const theme = stringFlag(args, 'theme') ?? 'auto';
    if (theme !== 'auto' && theme !== 'light' && theme !== 'dark')
      throw new UsageError(`--theme expects auto, light or dark, got "${theme}"`);
    const thumbnails = numberFlag(args, 'thumbnails', 5000, { integer: true, min: 0 });
    const out = outputFlag(args, 'out', ['.html']);
    const json = outputFlag(args, 'json', ['.json']);
    // Before any work: never over an input (`--out cnn.onnx`), a folder or device, or into a missing folder.
    await checkOutputs(
      [
        { flag: '--out', file: out },
        { flag: '--json', file: json },
      ],
      [...(await checkpointInputs(checkpoint)), dataset && resolve(dataset)],
    );
    const progress = stderrProgress();
    const run = await runInspection(
      { checkpoint: resolve(checkpoint), dataset: dataset && resolve(dataset), settings, cacheDir },
      { patch: (stage, patch) => progress({ stage, done: 1, total: 1, message: `done in ${patch.timings?.at(-1)?.ms ?? 0} ms` }) },
      { signal: cliAbort.signal, onProgress: progress },
    );
    if (run.cancelled) {
      process.stderr.write('embedding-lens inspect: cancelled; nothing written\n');
      return 1;
    }
    if (out) {
      await writeReport(out, run.data, { theme, thumbnails, signal: cliAbort.signal, onProgress: progress });
      process.stderr.write(`report written to ${out}\n`);
    }
    await writeJson({ ...inspectionSummary(run.data), report: out }, json);
    return 0;
  },
};
