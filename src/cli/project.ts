import { resolve } from 'node:path';
import { checkKnown, numberFlag, parseArgs, requiredFlag, stringFlag, UsageError } from './args';
import { cliAbort, writeJson, type CliCommand } from './command';
import { checkOutputs, outputFlag } from './outputArgs';
import { stderrProgress } from './progress';
import { LensError } from '../core/errors';
import { CAPS, clampThreads } from '../core/limits';
import { readNpy, writeNpy } from '../core/io/npy';
import { projectEmbeddings } from '../core/projection/project';
import { defaultUmapThreads } from '../core/projection/umap';

const usage = `Usage: embedding-lens project --embeddings E.npy --out XY.npy [options]

Projects N×D float32/float64 embeddings to a 2-D map (N×2 float32 .npy). UMAP runs on the kNN
graph of the retrieval engine (exact, or usearch above 100,000 rows), starting from the PCA map.
Progress on stderr; a JSON summary on stdout. The same inputs and seed (and --threads) give the
same map.

  --embeddings FILE     N×D .npy (float32 or float64)
  --out FILE            where to write the N×2 float32 layout
  --method M            umap (default) | pca
  --seed N              UMAP seed (default 42)
  --neighbors N         UMAP n_neighbors, counting the point itself (default 15);
                        with fewer points it is lowered to the number of points; at most ${CAPS.umapNeighbors.max}
  --min-dist X          UMAP min_dist (default 0.1)
  --spread X            UMAP spread (default 1)
  --epochs N            optimisation epochs (default: 500 up to 10,000 points, else 200; at most ${CAPS.umapEpochs.max})
  --metric M            euclidean (default, as umap-learn) | cosine
  --threads N           optimisation threads (default ${defaultUmapThreads()} here, more than the cores are lowered to them);
                        part of what makes a run reproducible
  --knn MODE            auto (default) | exact | usearch
  --json FILE           write the JSON summary to FILE instead of stdout`;

export const projectCommand: CliCommand = {
  name: 'project',
  summary: 'Project embeddings to a 2-D map (UMAP or PCA) as an N×2 .npy',
  usage,
  async run(argv) {
    const args = parseArgs(argv);
    // The known flags are data: one line, not one flag per line.
    // prettier-ignore
    checkKnown(args, ['embeddings', 'out', 'method', 'seed', 'neighbors', 'min-dist', 'spread', 'epochs', 'metric', 'threads', 'knn', 'json']);
    if (args.positionals.length) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
    const file = resolve(requiredFlag(args, 'embeddings'));
    requiredFlag(args, 'out');
    const out = outputFlag(args, 'out', ['.npy'])!;
    const json = outputFlag(args, 'json', ['.json']);
    const method = stringFlag(args, 'method') ?? 'umap';
    if (method !== 'umap' && method !== 'pca') throw new UsageError(`--method expects umap or pca, got "${method}"`);
    const metric = stringFlag(args, 'metric') ?? 'euclidean';
    if (metric !== 'euclidean' && metric !== 'cosine') throw new UsageError(`--metric expects euclidean or cosine, got "${metric}"`);
    const knn = stringFlag(args, 'knn') ?? 'auto';
    if (knn !== 'auto' && knn !== 'exact' && knn !== 'usearch') throw new UsageError(`--knn expects auto, exact or usearch, got "${knn}"`);
    const epochs =
      stringFlag(args, 'epochs') !== undefined ? numberFlag(args, 'epochs', 0, { integer: true, min: 1, cap: CAPS.umapEpochs }) : undefined;
    const seed = numberFlag(args, 'seed', 42, { integer: true });
    const nNeighbors = numberFlag(args, 'neighbors', 15, { integer: true, min: 2, cap: CAPS.umapNeighbors });
    const minDist = numberFlag(args, 'min-dist', 0.1, { min: 0 });
    const spread = numberFlag(args, 'spread', 1, { min: 0 });
    const requestedThreads = numberFlag(args, 'threads', defaultUmapThreads(), { integer: true, min: 1 });
    const { threads, note: threadsNote } = clampThreads(requestedThreads);
    if (threadsNote) process.stderr.write(`note: --threads: ${threadsNote}\n`);

    // Before any work: never over the input, a folder or device, or into a missing folder.
    await checkOutputs(
      [
        { flag: '--out', file: out },
        { flag: '--json', file: json },
      ],
      [file],
    );

    const npy = await readNpy(file);
    if (npy.shape.length !== 2) throw new LensError(`expected a 2-D N×D array, got shape (${npy.shape.join(', ')})`, file);
    if (npy.dtype !== 'f4' && npy.dtype !== 'f8')
      throw new LensError(`expected float32 or float64 embeddings, got dtype ${npy.dtype}`, file);
    const [n, dim] = npy.shape;
    const data = npy.data instanceof Float32Array ? npy.data : Float32Array.from(npy.data as Float64Array);

    const started = Date.now();
    const result = await projectEmbeddings(data, n, dim, {
      method,
      seed,
      nNeighbors,
      minDist,
      spread,
      nEpochs: epochs,
      metric,
      threads,
      approximate: knn,
      source: file,
      signal: cliAbort.signal,
      onProgress: stderrProgress(),
    });
    await writeNpy(out, result.xy, [n, 2]);
    for (const w of result.warnings) process.stderr.write(`warning: ${w}\n`);
    await writeJson(
      {
        out,
        n,
        dim,
        method: result.method,
        params: result.params,
        knnRecall: result.knnRecall,
        warnings: result.warnings,
        seconds: (Date.now() - started) / 1000,
      },
      json,
    );
    return 0;
  },
};
