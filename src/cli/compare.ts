import { resolve } from 'node:path';
import {
  runComparison,
  compareDeltasJson,
  writeCompareCsv,
  writeCompareReport,
  DEFAULT_LIST_SIZE,
  ITEMS_CHOICES,
  scopeHeadline,
  type ItemsChoice,
} from '../core/compare';
import { COMPARE_CSV_FILES } from '../core/compare/export';
import { checkKnown, numberFlag, parseArgs, stringFlag, UsageError } from './args';
import { cliAbort, writeJson, type CliCommand } from './command';
import { checkOutputFolder, checkOutputs, checkpointInputs, outputFlag } from './outputArgs';
import { stderrProgress } from './progress';
import { SETTINGS_BOOLEANS, SETTINGS_FLAGS, SETTINGS_USAGE, settingsFromArgs } from './inspectFlags';

const usage = `Usage: embedding-lens compare <A> <B> [dataset] [--out report.html] [--json deltas.json] [options]

Did checkpoint B get better than A, where, and at what cost? Inspects both on the same items (A,
then B), then prints the deltas (B − A) as JSON on stdout (or to --json): every retrieval metric
(SPEC §2) plus NMI/AMI, per-class metric and geometry deltas (largest change first), each EET
term's change, the Jaccard overlap of every item's K nearest neighbours under A and under B (each
in its own embedding space, so dimensions may differ), and the items whose top-K precision fell or
rose most. With --out, a self-contained HTML report with both maps (B Procrustes-aligned onto A).

  <A>, <B>              model.json (tfjs), .onnx, or precomputed embeddings (.npy, tensor.tsv)
  [dataset]             the image folder, manifest, IDX files, SOP/In-Shop lists or labels file
                        both are inspected on
  --dataset-b PATH      a different dataset for B with the same items, e.g. a labels file for a
                        .npy of A's embeddings; items are matched by path, else by position
  --out FILE.html       write the HTML report
  --json FILE           write the deltas JSON to FILE instead of stdout
  --csv DIR             also write headline.csv, classes.csv, eet.csv, items.csv, jaccard.csv
                        (text cells starting with = + - @ get a leading ' so spreadsheets show them as text)
  --list N              items in the most-worse and most-better lists (default ${DEFAULT_LIST_SIZE})
  --items WHICH         held-out | all. When A or B is a fine-tune whose fine-tune.json names the
                        classes it trained on, the default scores only the classes it never saw
                        (held-out); "all" scores every item. The JSON's "items" and the report's
                        header say which, how many items were seen in training, and warn when
                        fewer than 5 classes or 200 items are held out
  --theme T             report theme: auto | light | dark
  --thumbnails N        inline thumbnails for at most N items in the report (default 5000; 0 = none)

The neighbourhood size of the Jaccard overlap and per-item precision is --k.

${SETTINGS_USAGE}`;

export const compareCommand: CliCommand = {
  name: 'compare',
  summary: 'compare two checkpoints on one dataset: metric, class and EET deltas, kNN Jaccard; HTML report with --out',
  usage,
  async run(argv) {
    const args = parseArgs(argv, [...SETTINGS_BOOLEANS]);
    checkKnown(args, [...SETTINGS_FLAGS, ...SETTINGS_BOOLEANS, 'dataset-b', 'out', 'json', 'csv', 'list', 'theme', 'thumbnails', 'items']);
    const [checkpointA, checkpointB, dataset, ...extra] = args.positionals;
    if (!checkpointA || !checkpointB) throw new UsageError('two checkpoints are required: compare <A> <B> [dataset]');
    if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
    const { settings, cacheDir } = settingsFromArgs(args);
    const theme = stringFlag(args, 'theme') ?? 'auto';
    if (theme !== 'auto' && theme !== 'light' && theme !== 'dark')
      throw new UsageError(`--theme expects auto, light or dark, got "${theme}"`);
    const thumbnails = numberFlag(args, 'thumbnails', 5000, { integer: true, min: 0 });
    const listSize = numberFlag(args, 'list', DEFAULT_LIST_SIZE, { integer: true, min: 0 });
    const datasetB = stringFlag(args, 'dataset-b');
    const items = stringFlag(args, 'items') ?? 'held-out';
    if (!(ITEMS_CHOICES as readonly string[]).includes(items)) throw new UsageError(`--items expects held-out or all, got "${items}"`);
    const out = outputFlag(args, 'out', ['.html']);
    const json = outputFlag(args, 'json', ['.json']);
    const csvFlag = stringFlag(args, 'csv');
    const csvDir = csvFlag === undefined ? undefined : resolve(csvFlag);
    // Before any work: never over an input, a folder or device, or into a missing folder.
    const inputs = [
      ...(await checkpointInputs(checkpointA)),
      ...(await checkpointInputs(checkpointB)),
      dataset && resolve(dataset),
      datasetB && resolve(datasetB),
    ];
    await checkOutputs(
      [
        { flag: '--out', file: out },
        { flag: '--json', file: json },
      ],
      inputs,
    );
    await checkOutputFolder('--csv', csvDir, COMPARE_CSV_FILES, inputs);

    const progress = stderrProgress();
    const run = await runComparison(
      {
        checkpointA: resolve(checkpointA),
        checkpointB: resolve(checkpointB),
        dataset: dataset && resolve(dataset),
        datasetB: datasetB && resolve(datasetB),
        settings,
        cacheDir,
        listSize,
        items: items as ItemsChoice,
      },
      {
        patch: (side, stage, patch) =>
          progress({
            stage: `${side.toUpperCase()}: ${stage}`,
            done: 1,
            total: 1,
            message: `done in ${patch.timings?.at(-1)?.ms ?? 0} ms`,
          }),
      },
      { signal: cliAbort.signal, onProgress: progress },
    );
    if (run.cancelled) {
      process.stderr.write('embedding-lens compare: cancelled; nothing written\n');
      return 1;
    }
    const scope = run.data.scope;
    if (scope) {
      process.stderr.write(`${scopeHeadline(scope)}${scope.fallback ? ` (${scope.fallback})` : ''}\n`);
      if (scope.warning) process.stderr.write(`warning: ${scope.warning}\n`);
    }
    if (out) {
      await writeCompareReport(out, run.data, { theme, thumbnails, signal: cliAbort.signal, onProgress: progress });
      process.stderr.write(`report written to ${out}\n`);
    }
    const csvFiles = csvDir ? await writeCompareCsv(csvDir, run.data) : undefined;
    const dims = run.a.embeddings && run.b.embeddings ? { a: run.a.embeddings.dim, b: run.b.embeddings.dim } : undefined;
    await writeJson({ ...compareDeltasJson(run.data, { dims, matchedBy: run.match.by }), report: out, csv: csvFiles }, json);
    return 0;
  },
};
