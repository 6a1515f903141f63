// Issue #15, "no stage is ever silent", on the CLI's stderr: a plain (non-terminal) stderr shows a
// line for every stage of an inspection, PCA included (it used to say nothing), and Ctrl-C in the
// middle of a stage ends the run as cancelled, promptly. The unit test test/unit/progress measures
// the 2 s gaps themselves; these check what a user piping stderr to a log actually sees.
import { join } from 'node:path';

/** n × dim clustered rows in `classes` classes, with labels.json beside. */
function embeddings(dir, h, n, dim, classes) {
  const v = new Float32Array(n * dim);
  let s = 7;
  for (let i = 0; i < n; i++)
    for (let d = 0; d < dim; d++)
      v[i * dim + d] = (d === (i % classes) % dim ? 1 : 0) + ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32 - 0.5) * 0.3;
  h.npy(join(dir, 'e.npy'), v, [n, dim]);
  h.write(join(dir, 'labels.json'), JSON.stringify(Array.from({ length: n }, (_, i) => `c${i % classes}`)));
}

export const cases = [
  {
    name: 'inspect: plain stderr names every stage as it runs, PCA and class geometry included',
    setup: ({ dir, h }) => embeddings(dir, h, 6000, 32, 60),
    args: ({ dir }) => ['inspect', 'e.npy', 'labels.json', '--out', join(dir, 'r.html')],
    expect: { code: 0, seconds: 120, rssMB: 2000 },
    changes: ['r.html'],
    check: ({ result }) => {
      for (const stage of ['PCA', 'kNN', 'Retrieval metrics', 'NMI/AMI', 'Class geometry', 'EET breakdown', 'UMAP']) {
        if (!result.stderr.includes(`${stage}`)) throw new Error(`stderr never mentions ${stage}: ${result.stderr.slice(-600)}`);
      }
    },
  },
  {
    name: 'inspect: Ctrl-C during class geometry says cancelled and writes no report',
    setup: ({ dir, h }) => embeddings(dir, h, 20000, 64, 200),
    args: ({ dir }) => ['inspect', 'e.npy', 'labels.json', '--out', join(dir, 'r.html')],
    signal: { when: /Class geometry: / },
    expect: { code: 1, stderr: /cancelled/, seconds: 120, rssMB: 2000 },
    check: ({ dir, h }) => {
      if (h.exists(join(dir, 'r.html'))) throw new Error('a cancelled inspection wrote a report');
    },
  },
];
