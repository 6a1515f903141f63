import { resolve } from 'node:path';
import { checkKnown, numberFlag, numberListFlag, parseArgs, requiredFlag, stringFlag, UsageError } from './args';
import { cliAbort, writeJson, type CliCommand } from './command';
import { checkOutputs, outputFlag } from './outputArgs';
import { stderrProgress } from './progress';
import { LensError } from '../core/errors';
import { CAPS } from '../core/limits';
import { readEmbeddings } from '../core/io/npy';
import { readLabels } from '../core/io/labels';
import { readJsonText } from '../core/io/safeFile';
import { retrievalMetrics, type Protocol } from '../core/retrieval/metrics';
import { clusteringScores } from '../core/retrieval/clustering';
import { DEFAULT_EXACT_LIMIT, DEFAULT_SAMPLE_QUERIES } from '../core/retrieval/sampledMetrics';

const usage = `Usage: embedding-lens metrics --embeddings E.npy --labels L [options]

Retrieval metrics of SPEC §2 — exact ranking, ties by index, the query removed by index — as one
JSON object on stdout: queries, excluded_queries, recall@K for each K, precision@1, r_precision,
map@r, mrr, nmi and ami (seeded k-means, k = number of classes), and the same per class.
Above --exact-limit items the metrics are estimated from a query sample: the JSON then has
"sampled": {queries, of, seed, method}, each metric's 95% CI half-width as e.g. "recall@1_ci95",
and per class "sampled_queries".

  --embeddings FILE   N×D float32/float64 .npy
  --labels FILE       N labels: .npy of integers, .json array, or text with one label per line
  --protocol P        loo (leave-one-out, default) | query-gallery
  --query-mask FILE   query-gallery only: .json array of N booleans, true for queries
  --k LIST            recall@K list (default 1,2,4,8; each at most ${CAPS.recallK.max})
  --raw               raw Euclidean distances (default: L2-normalised, ranks as cosine)
  --seed N            seed of k-means (NMI/AMI) and of the query sample (default 0)
  --exact-limit N     above N items, rank a seeded class-stratified sample of ${DEFAULT_SAMPLE_QUERIES.toLocaleString('en-US')} queries
                      against the whole gallery, with 95% confidence intervals (default ${DEFAULT_EXACT_LIMIT.toLocaleString('en-US')})
  --sample-queries N  queries in that sample (default ${DEFAULT_SAMPLE_QUERIES.toLocaleString('en-US')})
  --exact-metrics     rank every query whatever the size (progress shows the ETA)
  --out FILE          write the JSON to FILE instead of stdout`;

export const metricsCommand: CliCommand = {
  name: 'metrics',
  summary: 'Retrieval metrics (Recall@K, MAP@R, R-precision, MRR, NMI, AMI) of an embeddings file',
  usage,
  async run(argv) {
    const args = parseArgs(argv, ['raw', 'exact-metrics']);
    // The known flags are data: one line, not one flag per line.
    // prettier-ignore
    checkKnown(args, ['embeddings', 'labels', 'protocol', 'query-mask', 'k', 'raw', 'seed', 'out', 'exact-limit', 'sample-queries', 'exact-metrics']);
    if (args.positionals.length) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
    const embFile = resolve(requiredFlag(args, 'embeddings'));
    const labelFile = resolve(requiredFlag(args, 'labels'));
    const p = stringFlag(args, 'protocol') ?? 'loo';
    const protocols: Record<string, Protocol> = {
      loo: 'leave-one-out',
      'leave-one-out': 'leave-one-out',
      'query-gallery': 'query-gallery',
    };
    const protocol = protocols[p];
    if (!protocol) throw new UsageError(`--protocol expects loo or query-gallery, got "${p}"`);
    const maskFile = stringFlag(args, 'query-mask');
    if (protocol === 'query-gallery' && !maskFile) throw new UsageError('--protocol query-gallery needs --query-mask');
    if (protocol === 'leave-one-out' && maskFile) throw new UsageError('--query-mask applies only to --protocol query-gallery');
    const ks = numberListFlag(args, 'k', [1, 2, 4, 8], { integer: true, min: 1, cap: CAPS.recallK });
    const seed = numberFlag(args, 'seed', 0, { integer: true });
    const normalize = !args.flags.has('raw');
    const exactLimit = numberFlag(args, 'exact-limit', DEFAULT_EXACT_LIMIT, { integer: true, min: 0 });
    const sampleQueries = numberFlag(args, 'sample-queries', DEFAULT_SAMPLE_QUERIES, { integer: true, min: 2 });
    const exact = args.flags.has('exact-metrics');
    const out = outputFlag(args, 'out', ['.json']);
    await checkOutputs([{ flag: '--out', file: out }], [embFile, labelFile, maskFile && resolve(maskFile)]);

    const { data, n, dim } = await readEmbeddings(embFile);
    const { labels, classNames } = await readLabels(labelFile);
    if (labels.length !== n)
      throw new LensError(`${labels.length} labels for the ${n} rows of ${embFile}; there must be exactly one label per row`, labelFile);
    const queryMask = maskFile ? await readMask(resolve(maskFile), n) : undefined;
    const onProgress = stderrProgress();
    const rep = await retrievalMetrics(data, n, dim, labels, {
      protocol,
      queryMask,
      normalize,
      ks,
      exactLimit,
      sampleQueries,
      exact,
      seed,
      file: embFile,
      signal: cliAbort.signal,
      onProgress,
    });
    const cl = await clusteringScores(data, n, dim, labels, { normalize, seed, file: embFile, signal: cliAbort.signal, onProgress });
    for (const note of cl.notes) process.stderr.write(`note: ${note}\n`);
    await writeJson(
      {
        ...rep.overall,
        ...(rep.sampled ? Object.fromEntries(Object.entries(rep.sampled.ci95).map(([k, v]) => [`${k}_ci95`, v])) : {}),
        nmi: cl.nmi,
        ami: cl.ami,
        protocol: rep.protocol,
        normalized: rep.normalize,
        n,
        dim,
        ...(rep.sampled
          ? { sampled: { queries: rep.sampled.queries, of: rep.sampled.of, seed: rep.sampled.seed, method: rep.sampled.method } }
          : {}),
        per_class: rep.perClass.map((c) => ({ class: classNames[c.label], ...c.metrics })),
      },
      out,
    );
    return 0;
  },
};

async function readMask(file: string, n: number): Promise<boolean[]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readJsonText(file, 'a JSON array of booleans (the query mask)'));
  } catch (err) {
    if (err instanceof LensError) throw err;
    throw new LensError(`cannot read the query mask (${(err as Error).message}); expected a JSON array of booleans`, file);
  }
  if (!Array.isArray(parsed) || parsed.some((v) => typeof v !== 'boolean' && v !== 0 && v !== 1)) {
    throw new LensError('expected a JSON array of booleans (true for queries), one per row', file);
  }
  if (parsed.length !== n) throw new LensError(`the query mask has ${parsed.length} entries for ${n} rows`, file);
  return parsed.map((v) => v === true || v === 1);
}
