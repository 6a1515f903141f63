import { basename, join, resolve } from 'node:path';
import { makeDemoCheckpoint } from '../core/demo/demoModel';
import { fashionMnistFolder, makeProductImages } from '../core/demo';
import { runInspection, type InspectionRun } from '../core/inspect/pipeline';
import { DEFAULT_SETTINGS, type InspectionSettings } from '../core/inspect/settings';
import { writeReport } from '../core/report/writeReport';
import { compareInspections, writeCompareReport } from '../core/compare';
import { fineTune } from '../core/train/fineTune';
import { assertReplaceableOutput, runDirFor } from '../core/train/checkpointWriter';
import { claimDemoFolder, DEMO_MARKER, recordDemoPath } from '../core/demo/atomicDir';
import { writeJsonAtomic } from '../core/io/outputs';
import { CancelledError } from '../core/errors';
import { checkKnown, numberFlag, parseArgs, stringFlag } from './args';
import { cliAbort, writeJson, type CliCommand } from './command';
import { stderrProgress } from './progress';
import { inspectionSummary } from './inspectFlags';

const usage = `Usage: embedding-lens demo [--out demo-output] [--fashion-mnist] [--epochs N]

The whole product in one run, with nothing downloaded: makes a deterministic dataset of
product-like images (or, with --fashion-mnist, a seeded subset of Debian's dataset-fashion-mnist),
builds a small untrained CNN checkpoint, inspects it, fine-tunes it with the EET loss, inspects
the result and compares the two. Writes to the output folder:
  dataset/            the images (ImageFolder layout)
  checkpoint/         the demo CNN (model.json + weights + embedding-lens.json)
  checkpoint-eet/     the fine-tuned checkpoint
  before.html, after.html, compare.html   self-contained reports
  summary.json        the headline metrics before and after
  ${DEMO_MARKER}  the list of everything the demo wrote there
The output folder must be new, empty, or an earlier demo output holding only what the demo wrote;
anything else in it (your own model, notes) is named and nothing is replaced.
Prints the headline metrics table on stderr and summary.json on stdout.

  --out DIR             output folder (default demo-output)
  --fashion-mnist       use Debian's Fashion-MNIST instead of the generated images
  --per-class N         images per class (default 40)
  --epochs N            fine-tune epochs (default 4)
  --seed N              seed of everything (default 1)`;

const HEADLINE = ['recall@1', 'recall@2', 'recall@4', 'recall@8', 'map@r', 'r_precision', 'nmi'] as const;

export const demoCommand: CliCommand = {
  name: 'demo',
  summary: 'run the whole flow on a generated dataset: inspect, EET fine-tune, compare, reports',
  usage,
  async run(argv) {
    const args = parseArgs(argv, ['fashion-mnist']);
    checkKnown(args, ['out', 'fashion-mnist', 'per-class', 'epochs', 'seed']);
    const out = resolve(stringFlag(args, 'out') ?? 'demo-output');
    const perClass = numberFlag(args, 'per-class', 40, { integer: true, min: 4 });
    const epochs = numberFlag(args, 'epochs', 4, { integer: true, min: 1 });
    const seed = numberFlag(args, 'seed', 1, { integer: true });
    const signal = cliAbort.signal;
    const progress = stderrProgress();
    const say = (s: string) => process.stderr.write(`\n== ${s}\n`);
    // Claimed before anything is written: a folder the demo did not make, or one holding anything
    // the demo did not write, is refused as a whole (the message names the stray entry).
    await claimDemoFolder(out, { generator: 'embedding-lens demo', version: 1 });
    const record = (rel: string, opts?: { owned?: boolean }) => recordDemoPath(out, rel, opts);
    // The fine-tuned checkpoint folder is guarded by its own record (fine-tune.json): checked now,
    // not after the dataset and the first inspection.
    assertReplaceableOutput(join(out, 'checkpoint-eet'));

    say('Making the demo dataset');
    const dataset = args.flags.has('fashion-mnist')
      ? await fashionMnistFolder(join(out, 'dataset'), { perClass, seed, split: 'test', size: 32, rgb: true }, { signal, onProgress: progress })
      : await makeProductImages(join(out, 'dataset'), { perClass, seed }, { signal, onProgress: progress });
    await record('dataset');
    process.stderr.write(`${dataset.count} images in ${dataset.classNames.length} classes at ${dataset.root}\n`);

    say('Building the demo checkpoint (a small untrained CNN)');
    const checkpoint = join(await makeDemoCheckpoint(join(out, 'checkpoint'), { seed }), 'model.json');
    await record('checkpoint');

    const settings: InspectionSettings = { ...DEFAULT_SETTINGS, umap: { ...DEFAULT_SETTINGS.umap, seed } };
    const cacheDir = join(out, '.cache');
    await record('.cache', { owned: true });
    const inspect = async (label: string, ck: string, file: string): Promise<InspectionRun> => {
      say(`Inspecting ${label}`);
      const run = await runInspection({ checkpoint: ck, dataset: dataset.root, settings, cacheDir }, {}, { signal, onProgress: progress });
      if (run.cancelled) throw new CancelledError();
      await writeReport(join(out, file), run.data, { signal });
      await record(file);
      process.stderr.write(`report: ${join(out, file)}\n`);
      return run;
    };
    const before = await inspect('the untrained checkpoint', checkpoint, 'before.html');

    say(`Fine-tuning with the EET loss (${epochs} epochs)`);
    // A rerun trains beside the earlier checkpoint-eet and replaces it when done (both are the
    // demo's). Both folders are recorded first, so a cancelled run leaves nothing unrecorded; what
    // is inside them is guarded by the fine-tune's own record (fine-tune.json lists its files).
    const tunedDir = join(out, 'checkpoint-eet');
    const runDir = runDirFor(tunedDir);
    await record('checkpoint-eet', { owned: true });
    await record(basename(runDir), { owned: true });
    const tuned = await fineTune({
      checkpoint,
      dataset: dataset.root,
      outDir: tunedDir,
      runDir,
      replaceEarlier: true,
      epochs,
      lr: 1e-3,
      seed,
      signal,
      onProgress: progress,
      onEpoch: (e) => process.stderr.write(`epoch ${e.epoch}: held-out map@r ${e.val.mapAtR.toFixed(4)}, recall@1 ${e.val.recallAt1.toFixed(4)}${e.loss ? `, EET loss ${e.loss.total.toFixed(4)}` : ''}\n`),
    });
    const after = await inspect('the fine-tuned checkpoint', join(tuned.outDir, 'model.json'), 'after.html');

    say('Comparing before and after');
    // Both inspections are already done: compare them directly instead of re-running either.
    const cmp = await compareInspections({ data: before.data, graph: before.graph }, { data: after.data, graph: after.graph }, { k: settings.neighborsK, signal });
    await writeCompareReport(join(out, 'compare.html'), cmp.data, { signal });
    await record('compare.html');
    process.stderr.write(`report: ${join(out, 'compare.html')} (mean kNN Jaccard before vs after: ${cmp.data.meanJaccard.toFixed(3)})\n`);

    const row = (r: InspectionRun) => inspectionSummary(r.data).metrics as Record<string, number>;
    const b = row(before);
    const a = row(after);
    const table = HEADLINE.map((k) => ({ metric: k, before: b[k], after: a[k], delta: a[k] - b[k] }));
    process.stderr.write(`\n${'metric'.padEnd(12)} ${'before'.padStart(8)} ${'after'.padStart(8)} ${'delta'.padStart(8)}\n`);
    for (const r of table) process.stderr.write(`${r.metric.padEnd(12)} ${r.before.toFixed(4).padStart(8)} ${r.after.toFixed(4).padStart(8)} ${(r.delta >= 0 ? '+' : '') + r.delta.toFixed(4).padStart(7)}\n`);
    const summary = {
      output: out,
      dataset: { root: dataset.root, items: dataset.count, classes: dataset.classNames.length },
      checkpoints: { before: checkpoint, after: join(tuned.outDir, 'model.json') },
      fineTune: { epochs, best: tuned.best, backend: tuned.backend, history: tuned.history },
      headline: table,
      meanJaccard: cmp.data.meanJaccard,
      reports: { before: join(out, 'before.html'), after: join(out, 'after.html'), compare: join(out, 'compare.html') },
    };
    await writeJsonAtomic(join(out, 'summary.json'), summary);
    await record('summary.json');
    await writeJson(summary);
    return 0;
  },
};
