import { resolve } from 'node:path';
import { DEMO_DEFAULTS, runDemo } from '../demo/run';
import { DEMO_MARKER } from '../demo/atomicDir';
import { checkKnown, numberFlag, parseArgs, stringFlag } from './args';
import { cliAbort, writeJson, type CliCommand } from './command';
import { stderrProgress } from './progress';

const usage = `Usage: embedding-lens demo [--out demo-output] [--fashion-mnist] [--epochs N]

The whole product in one run, with nothing downloaded, judged the way metric learning is judged:
on classes the model never trained on. Makes a deterministic dataset of product-like images (20
classes; or, with --fashion-mnist, a seeded subset of Debian's dataset-fashion-mnist) split by
class into trained and held-out halves, builds a small untrained CNN checkpoint, inspects it on the
held-out classes, fine-tunes it with the EET loss on the trained classes only, inspects the result
on the held-out classes again and compares the two. Writes to the output folder:
  dataset-train/      the trained classes (the only images the fine-tune reads)
  dataset-held-out/   the held-out classes (every report and figure is on these)
  checkpoint/         the demo CNN (model.json + weights + embedding-lens.json)
  checkpoint-eet/     the fine-tuned checkpoint
  before.html, after.html, compare.html   self-contained reports (held-out classes)
  summary.json        held-out metrics and map separation, before and after
  ${DEMO_MARKER}  the list of everything the demo wrote there
The output folder must be new, empty, or an earlier demo output holding only what the demo wrote;
anything else in it (your own model, notes) is named and nothing is replaced.
Prints the held-out before → after table on stderr and summary.json on stdout.

  --out DIR                 output folder (default demo-output)
  --fashion-mnist           use Debian's Fashion-MNIST instead of the generated images
  --per-class N             images per trained class (default ${DEMO_DEFAULTS.perClass})
  --held-out-per-class N    images per held-out class (default ${DEMO_DEFAULTS.heldOutPerClass}, or --per-class when smaller)
  --epochs N                fine-tune epochs (default ${DEMO_DEFAULTS.epochs})
  --seed N                  seed of everything (default ${DEMO_DEFAULTS.seed})`;

export const demoCommand: CliCommand = {
  name: 'demo',
  summary: 'run the whole flow on a generated dataset: inspect held-out classes, EET fine-tune on the others, compare, reports',
  usage,
  async run(argv) {
    const args = parseArgs(argv, ['fashion-mnist']);
    checkKnown(args, ['out', 'fashion-mnist', 'per-class', 'held-out-per-class', 'epochs', 'seed']);
    const perClass = numberFlag(args, 'per-class', DEMO_DEFAULTS.perClass, { integer: true, min: 4 });
    const progress = stderrProgress();
    const summary = await runDemo(
      {
        out: resolve(stringFlag(args, 'out') ?? 'demo-output'),
        source: args.flags.has('fashion-mnist') ? 'fashion-mnist' : 'products',
        perClass,
        heldOutPerClass: numberFlag(args, 'held-out-per-class', Math.min(DEMO_DEFAULTS.heldOutPerClass, perClass), {
          integer: true,
          min: 2,
        }),
        epochs: numberFlag(args, 'epochs', DEMO_DEFAULTS.epochs, { integer: true, min: 1 }),
        lr: DEMO_DEFAULTS.lr,
        seed: numberFlag(args, 'seed', DEMO_DEFAULTS.seed, { integer: true }),
      },
      {
        signal: cliAbort.signal,
        onProgress: progress,
        onStage: (s) => process.stderr.write(`\n== ${s}\n`),
        onLine: (s) => process.stderr.write(`${s}\n`),
        onEpoch: (e) =>
          process.stderr.write(
            `epoch ${e.epoch}: fine-tune validation (classes of the trained folder) map@r ${e.val.mapAtR.toFixed(4)}, recall@1 ${e.val.recallAt1.toFixed(4)}${e.loss ? `, EET loss ${e.loss.total.toFixed(4)}` : ''}\n`,
          ),
      },
    );
    const w = (s: string) => process.stderr.write(s);
    w(`\nHeld-out classes (never trained on): ${summary.heldOut.classes.join(', ')} — ${summary.heldOut.items} items\n`);
    w(`Trained on: ${summary.trainedOn.classes.join(', ')} — ${summary.trainedOn.items} items\n\n`);
    w(`${'held-out'.padEnd(14)} ${'before'.padStart(8)} ${'after'.padStart(8)} ${'delta'.padStart(8)}\n`);
    for (const r of summary.headline)
      w(
        `${r.metric.padEnd(14)} ${r.before.toFixed(4).padStart(8)} ${r.after.toFixed(4).padStart(8)} ${((r.delta >= 0 ? '+' : '') + r.delta.toFixed(4)).padStart(8)}\n`,
      );
    const { before: sb, after: sa, k, layout } = { ...summary.separation, k: summary.separation.after.k };
    w(
      `${`map ${k}-NN acc`.padEnd(14)} ${sb.knnAccuracy.toFixed(4).padStart(8)} ${sa.knnAccuracy.toFixed(4).padStart(8)} ${((sa.knnAccuracy - sb.knnAccuracy >= 0 ? '+' : '') + (sa.knnAccuracy - sb.knnAccuracy).toFixed(4)).padStart(8)}\n`,
    );
    w(
      `${'map silhouette'.padEnd(14)} ${sb.silhouette.toFixed(4).padStart(8)} ${sa.silhouette.toFixed(4).padStart(8)} ${((sa.silhouette - sb.silhouette >= 0 ? '+' : '') + (sa.silhouette - sb.silhouette).toFixed(4)).padStart(8)}\n`,
    );
    const r1 = summary.headline.find((r) => r.metric === 'recall@1')!;
    const map = summary.headline.find((r) => r.metric === 'map@r')!;
    w(
      `\nOn held-out classes: R@1 ${r1.before.toFixed(3)} → ${r1.after.toFixed(3)} (×${summary.recallAt1Gain.toFixed(2)}), ` +
        `MAP@R ${map.before.toFixed(3)} → ${map.after.toFixed(3)}, ${layout.toUpperCase()} map ${k}-NN accuracy ${sb.knnAccuracy.toFixed(2)} → ${sa.knnAccuracy.toFixed(2)}\n`,
    );
    await writeJson(summary);
    return 0;
  },
};
