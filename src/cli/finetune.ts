import { resolve } from 'node:path';
import { checkKnown, numberFlag, numberListFlag, parseArgs, requiredFlag, stringFlag, UsageError } from './args';
import { cliAbort, writeJson, type CliCommand } from './command';
import { checkOutputs, checkpointInputs, outputFlag } from './outputArgs';
import { stderrProgress } from './progress';
import { fineTune } from '../core/train/fineTune';
import { DEFAULT_SETTINGS, type TrainWhat, type ValidationMode } from '../core/train/options';
import { isBackendSetting } from '../core/runtime/select';
import { CAPS } from '../core/limits';
import { heldOutWarning } from '../core/train/heldOutAdvice';

const usage = `Usage: embedding-lens finetune <checkpoint> <dataset> --out DIR [options]

Fine-tunes a checkpoint with the EET loss and writes a new checkpoint folder (never over the
source). Progress on stderr; a JSON summary (history, best epoch, output folder) on stdout.
Ctrl-C stops after the current step and keeps the best epoch so far. The output folder is checked
(and a small temp file written and removed there) before any image loads.

  <checkpoint>          model.json (tfjs LayersModel, or GraphModel with --head-only), a folder
                        holding one, or an .onnx file (with --head-only)
  <dataset>             image folder, manifest (.csv/.tsv/.jsonl), IDX files, SOP/In-Shop lists
  --out DIR             the new checkpoint folder: new, empty, or an earlier fine-tune output that
                        holds only what its fine-tune.json lists. Over an earlier output the run is
                        written beside it (DIR-run-N) and replaces it only when it finishes with a
                        better best validation map@r on the same split; Ctrl-C never replaces it
  --epochs N            training epochs (default ${DEFAULT_SETTINGS.epochs}; at most ${CAPS.trainEpochs.max})
  --lr X                Adam learning rate (default ${DEFAULT_SETTINGS.lr}; 1e-3 with --head-only)
  --margin A            EET margin α (default ${DEFAULT_SETTINGS.margin})
  --weights a,b,c       λ_mc,λ_ec,λ_edc (default ${DEFAULT_SETTINGS.weights.join(',')})
  --pk P,K              P classes × K samples per batch (default ${DEFAULT_SETTINGS.pk.join(',')})
  --head-only           train a projection head on the frozen backbone's features
  --last-layers N       train only the last N layers that have weights (tfjs LayersModel)
  --no-normalize        EET on raw embeddings instead of L2-normalised ones
  --validation MODE     class-disjoint (default: hold out ${DEFAULT_SETTINGS.valFraction * 100}% of classes) or split (the dataset's own)
  --val-fraction X      share of the classes the class-disjoint split holds out (default ${DEFAULT_SETTINGS.valFraction}; at least 2
                        classes, at most all but 2). Fewer than 5 held-out classes or 200 items get a warning
  --max-items N         stratified cap on training items (default: all)
  --seed N              seed of the split, batches and head (default ${DEFAULT_SETTINGS.seed})
  --backend B           auto | tfjs-node-gpu | tfjs-node | wasm | cpu (default auto)
  --json FILE           write the JSON summary to FILE instead of stdout`;

export const finetuneCommand: CliCommand = {
  name: 'finetune',
  summary: 'Fine-tune a checkpoint with the EET loss into a new checkpoint folder',
  usage,
  async run(argv) {
    const args = parseArgs(argv, ['head-only', 'no-normalize']);
    // The known flags are data: one line, not one flag per line.
    // prettier-ignore
    checkKnown(args, ['out', 'epochs', 'lr', 'margin', 'weights', 'pk', 'head-only', 'last-layers', 'no-normalize', 'validation', 'val-fraction', 'max-items', 'seed', 'backend', 'json']);
    if (args.positionals.length !== 2) throw new UsageError('expected <checkpoint> and <dataset>');
    const [checkpoint, dataset] = args.positionals.map((p) => resolve(p));
    const outDir = resolve(requiredFlag(args, 'out'));
    const lastLayers = stringFlag(args, 'last-layers');
    if (lastLayers !== undefined && args.flags.has('head-only')) throw new UsageError('--head-only and --last-layers exclude each other');
    let train: TrainWhat = 'all';
    if (args.flags.has('head-only')) train = 'head';
    else if (lastLayers !== undefined) train = { lastLayers: numberFlag(args, 'last-layers', 1, { integer: true, min: 1 }) };
    const validation = stringFlag(args, 'validation') ?? 'class-disjoint';
    if (validation !== 'class-disjoint' && validation !== 'split')
      throw new UsageError(`--validation expects class-disjoint or split, got "${validation}"`);
    const backend = stringFlag(args, 'backend') ?? 'auto';
    if (!isBackendSetting(backend)) throw new UsageError(`--backend expects auto, tfjs-node-gpu, tfjs-node, wasm or cpu, got "${backend}"`);
    const lr = stringFlag(args, 'lr') !== undefined ? numberFlag(args, 'lr', 0, { above: 0 }) : undefined;
    const json = outputFlag(args, 'json', ['.json']);
    // The JSON summary may not land among the inputs, nor inside the folder the run replaces.
    await checkOutputs([{ flag: '--json', file: json }], [...(await checkpointInputs(checkpoint)), dataset, outDir]);

    const progress = stderrProgress();
    const result = await fineTune({
      checkpoint,
      dataset,
      outDir,
      epochs: numberFlag(args, 'epochs', DEFAULT_SETTINGS.epochs, { integer: true, min: 1, cap: CAPS.trainEpochs }),
      lr,
      margin: numberFlag(args, 'margin', DEFAULT_SETTINGS.margin, { min: 0 }),
      weights: numberListFlag(args, 'weights', DEFAULT_SETTINGS.weights, { length: 3, min: 0 }) as [number, number, number],
      pk: numberListFlag(args, 'pk', DEFAULT_SETTINGS.pk, { length: 2, integer: true, min: 2 }) as [number, number],
      normalize: !args.flags.has('no-normalize'),
      train,
      validation: validation as ValidationMode,
      valFraction: numberFlag(args, 'val-fraction', DEFAULT_SETTINGS.valFraction, { above: 0 }),
      maxItems: numberFlag(args, 'max-items', 0, { integer: true, min: 0 }),
      seed: numberFlag(args, 'seed', DEFAULT_SETTINGS.seed, { integer: true }),
      backend,
      signal: cliAbort.signal,
      onProgress: progress,
      onStep: (s) =>
        progress({
          stage: `epoch ${s.epoch}`,
          done: s.step,
          total: s.stepsPerEpoch,
          rate: s.stepsPerSecond,
          etaSeconds: s.etaSeconds,
          message: `loss ${s.loss.toFixed(4)} (mc ${s.mc.toFixed(3)} ec ${s.ec.toFixed(3)} edc ${s.edc.toFixed(3)})`,
        }),
      onEpoch: (e) =>
        process.stderr.write(
          `epoch ${e.epoch}: validation map@r ${e.val.mapAtR.toFixed(4)}, recall@1 ${e.val.recallAt1.toFixed(4)}` +
            (e.loss ? `, mean loss ${e.loss.total.toFixed(4)}` : ' (before training)') +
            '\n',
        ),
    });
    await writeJson(result, json);
    const e = result.earlier;
    if (e && !e.replaced) {
      const why = !e.comparable
        ? 'was validated on a different split, so the two cannot be compared'
        : result.cancelled || result.error
          ? 'did not finish'
          : `did not beat its best map@r ${e.mapAtR.toFixed(4)}`;
      process.stderr.write(`the earlier result in ${e.outDir} is kept: this run ${why}; this run is in ${e.runDir}\n`);
    } else if (e?.replaced) {
      process.stderr.write(`this run beat the earlier result in ${e.outDir} (map@r ${e.mapAtR.toFixed(4)}) and replaced it\n`);
    }
    // Validation on 2 held-out classes reads recall@1 1.0 from epoch 0: said, with the split to use.
    const small = result.validation && heldOutWarning(result.validation);
    if (small) process.stderr.write(`warning: validation: ${small}\n`);
    if (result.cancelled || result.error) {
      process.stderr.write(
        `${result.cancelled ? 'cancelled' : `stopped: ${result.error}`}; the best epoch so far (${result.best.epoch}) is kept in ${result.outDir}\n`,
      );
      return 1;
    }
    process.stderr.write(`best epoch ${result.best.epoch} (map@r ${result.best.mapAtR.toFixed(4)}) written to ${result.outDir}\n`);
    return 0;
  },
};
