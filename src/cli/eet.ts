import { resolve } from 'node:path';
import { checkKnown, numberFlag, numberListFlag, parseArgs, requiredFlag, UsageError } from './args';
import { cliAbort, writeJson, type CliCommand } from './command';
import { checkOutputs, outputFlag } from './outputArgs';
import { stderrProgress } from './progress';
import { LensError } from '../core/errors';
import { CAPS } from '../core/limits';
import { readEmbeddings } from '../core/io/npy';
import { readLabels } from '../core/io/labels';
import { eetTerms } from '../core/eet/batch';
import { eetBreakdown } from '../core/eet/breakdown';
import { geometrySampleNote } from '../core/retrieval/geometry';
import { DEFAULT_EXACT_LIMIT } from '../core/retrieval/sampledMetrics';

const usage = `Usage: embedding-lens eet --embeddings E.npy --labels L [options]

The EET loss of SPEC §1 (float64). Without --batches: the whole input as one batch, printing
mc, ec, m, e, edc, total, anchors, classes. With --batches S --pk P,K --seed N: the dataset
breakdown — S seeded P×K batches, each term's mean and spread, per-class attribution, d(a,p) and
d(a,n) histograms, the margin-violation rate and per-class geometry.

  --embeddings FILE   N×D float32/float64 .npy
  --labels FILE       N labels: .npy of integers, .json array, or text with one label per line
  --margin X          α of the MC term (default 0.3)
  --weights A,B,C     λ_mc, λ_ec, λ_edc (default 1,1,1)
  --raw               no L2 normalisation
  --batches S         breakdown over S batches (needs --pk and --seed; at most ${CAPS.eetBatches.max})
  --pk P,K            classes and items per class of each batch
  --seed N            sampler seed
  --out FILE          write the JSON to FILE instead of stdout`;

/** One batch holds the N×N distance matrix (float64); past this, ask for batches instead. */
const MAX_SINGLE_BATCH = 10_000;

export const eetCommand: CliCommand = {
  name: 'eet',
  summary: 'EET loss terms of an embeddings file, or their breakdown over seeded P×K batches',
  usage,
  async run(argv) {
    const args = parseArgs(argv, ['raw']);
    checkKnown(args, ['embeddings', 'labels', 'margin', 'weights', 'raw', 'batches', 'pk', 'seed', 'out']);
    if (args.positionals.length) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
    const embFile = resolve(requiredFlag(args, 'embeddings'));
    const labelFile = resolve(requiredFlag(args, 'labels'));
    const margin = numberFlag(args, 'margin', 0.3, { min: 0 });
    const w = numberListFlag(args, 'weights', [1, 1, 1], { length: 3, min: 0 });
    const eet = { normalize: !args.flags.has('raw'), margin, weights: [w[0], w[1], w[2]] as [number, number, number] };
    const breakdown = args.flags.has('batches') || args.flags.has('pk') || args.flags.has('seed');
    if (breakdown && !(args.flags.has('batches') && args.flags.has('pk') && args.flags.has('seed'))) {
      throw new UsageError('the breakdown needs all of --batches S, --pk P,K and --seed N');
    }

    // Flags first: a usage error must not wait for (or be masked by) reading the inputs.
    const batches = breakdown ? numberFlag(args, 'batches', 0, { integer: true, min: 1, cap: CAPS.eetBatches }) : 0;
    const [p, k] = breakdown ? numberListFlag(args, 'pk', [], { integer: true, length: 2, min: 2 }) : [0, 0];
    const seed = breakdown ? numberFlag(args, 'seed', 0, { integer: true }) : 0;

    const out = outputFlag(args, 'out', ['.json']);
    await checkOutputs([{ flag: '--out', file: out }], [embFile, labelFile]);

    const { data, n, dim } = await readEmbeddings(embFile);
    const { labels, classNames } = await readLabels(labelFile);
    if (labels.length !== n)
      throw new LensError(`${labels.length} labels for the ${n} rows of ${embFile}; there must be exactly one label per row`, labelFile);
    if (!breakdown) {
      if (n > MAX_SINGLE_BATCH)
        throw new LensError(
          `${n} rows is too many for one batch (at most ${MAX_SINGLE_BATCH}); use --batches S --pk P,K --seed N`,
          embFile,
        );
      const t = eetTerms(data, n, dim, labels, eet);
      await writeJson({ mc: t.mc, ec: t.ec, m: t.m, e: t.e, edc: t.edc, total: t.total, anchors: t.anchors, classes: t.classes }, out);
      return 0;
    }
    const r = await eetBreakdown(data, n, dim, labels, {
      batches,
      p,
      k,
      seed,
      eet,
      file: embFile,
      signal: cliAbort.signal,
      onProgress: stderrProgress(),
    });
    const name = (l: number | null) => (l === null ? null : classNames[l]);
    await writeJson(
      {
        ...r,
        perClass: r.perClass.map((c) => ({ ...c, label: name(c.label) })),
        geometry: {
          normalize: r.geometry.normalize,
          classes: r.geometry.classes.map((c) => ({
            ...c,
            label: name(c.label),
            nearestClass: name(c.nearestClass),
            centroid: Array.from(c.centroid),
          })),
          centroidDistances: r.geometry.centroidDistances ? Array.from(r.geometry.centroidDistances) : null,
          // Above 100,000 rows the nearest-class column comes from a seeded sample of items: said here.
          ...(r.geometry.sampled
            ? { sampled: { ...r.geometry.sampled, note: geometrySampleNote(r.geometry.sampled, DEFAULT_EXACT_LIMIT) } }
            : {}),
        },
      },
      out,
    );
    return 0;
  },
};
