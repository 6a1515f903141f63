// Hostile sizes and counts: IDX headers that lie (a gzip bomb claiming 3·10⁹ labels, more data
// than promised, absurd image sides), device files among IDX files, absurd flags (--threads 1000,
// --epochs 1e9, --batches 1e9, --batch-size 1e9, --k 1e9, --neighbors 1e6, --recall-k 0) and
// Ctrl-C during a long `metrics` run. Each must end fast, in bounded memory, with one line naming
// the file or flag and what was expected (exit 1; 2 for flags), or — for --threads — clamp and say so.
import { createGzip } from 'node:zlib';
import { join } from 'node:path';

/** An IDX header: magic 00 00 08 <rank>, then big-endian uint32 dims. */
function idxHeader(dims) {
  const b = Buffer.alloc(4 + 4 * dims.length);
  b[2] = 0x08;
  b[3] = dims.length;
  dims.forEach((d, i) => b.writeUInt32BE(d, 4 + 4 * i));
  return b;
}

/** gzip of `bytes` in one member, streamed (level 9: zeros shrink ~1000×). */
function gzip(bytes) {
  return new Promise((resolve, reject) => {
    const z = createGzip({ level: 9 });
    const out = [];
    z.on('data', (c) => out.push(c))
      .on('end', () => resolve(Buffer.concat(out)))
      .on('error', reject);
    z.end(bytes);
  });
}

/**
 * A gzip "bomb": `header`, then `zerosMB` MB of zeros, as concatenated gzip members (gunzip reads
 * them as one stream). One 64 MB member of zeros is ~64 KB; repeating it costs nothing to build.
 */
async function idxBomb(header, zerosMB) {
  const first = await gzip(header);
  const block = await gzip(Buffer.alloc(64 * 2 ** 20));
  return Buffer.concat([first, ...Array(Math.ceil(zerosMB / 64)).fill(block)]);
}

/** A small valid IDX images file: n images of 28×28, gzipped. */
async function idxImages(n) {
  const px = Buffer.alloc(n * 28 * 28);
  for (let i = 0; i < px.length; i++) px[i] = (i * 37) & 0xff;
  return gzip(Buffer.concat([idxHeader([n, 28, 28]), px]));
}

const idxLabels = (n, classes = 2) => gzip(Buffer.concat([idxHeader([n]), Buffer.from(Array.from({ length: n }, (_, i) => i % classes))]));

/** dir/idx with train images (10) and the given labels file content; the asset model beside it. */
async function idxSet(dir, assets, h, labels, images) {
  h.copy(assets.model, join(dir, 'm'));
  h.write(join(dir, 'idx/train-images-idx3-ubyte.gz'), images ?? (await idxImages(10)));
  if (labels) h.write(join(dir, 'idx/train-labels-idx1-ubyte.gz'), labels);
}
const embedIdx = () => ['embed', 'm', 'idx', '--out', 'e.npy', '--no-cache'];

/** n×dim float32 rows in `classes` separable clusters, with labels.json. */
function embeddings(dir, h, n, dim, classes) {
  const v = new Float32Array(n * dim);
  let s = 99;
  for (let i = 0; i < n; i++)
    for (let d = 0; d < dim; d++)
      v[i * dim + d] = (d === i % classes ? 1 : 0) + ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32 - 0.5) * 0.3;
  h.npy(join(dir, 'e.npy'), v, [n, dim]);
  h.write(join(dir, 'labels.json'), JSON.stringify(Array.from({ length: n }, (_, i) => `c${i % classes}`)));
}
const withAssetEmbeddings = ({ dir, assets, h }) => {
  h.copy(assets.npy, join(dir, 'e.npy'));
  h.copy(assets.labels, join(dir, 'labels.json'));
};
const flagCase = (name, args, stderr, setup = withAssetEmbeddings) => ({
  name,
  setup,
  args: () => args,
  expect: { code: 2, stderr, seconds: 10, rssMB: 400 },
});

export const cases = [
  // --- IDX: lying headers and bombs ---
  {
    name: 'embed: an IDX labels .gz (13 MB) claiming 3·10⁹ labels fails at its header, not after inflating',
    setup: async ({ dir, assets, h }) => idxSet(dir, assets, h, await idxBomb(idxHeader([3_000_000_000]), 13 * 1024)),
    args: embedIdx,
    expect: {
      code: 1,
      stderr: /train-labels-idx1-ubyte\.gz: has a header claiming 3000000000 items; at most 50000000/,
      seconds: 10,
      rssMB: 500,
    },
  },
  {
    name: 'embed: an IDX labels .gz that unpacks to more than its header promises stops at the promise',
    setup: async ({ dir, assets, h }) => idxSet(dir, assets, h, await idxBomb(idxHeader([10]), 1536)),
    args: embedIdx,
    expect: {
      code: 1,
      stderr: /train-labels-idx1-ubyte\.gz: unpacks to more than the 18 bytes its header \(10\) promises/,
      seconds: 15,
      rssMB: 500,
    },
  },
  {
    name: 'embed: IDX labels claiming 40 million items for 10 images fail before inflating',
    setup: async ({ dir, assets, h }) => idxSet(dir, assets, h, await idxBomb(idxHeader([40_000_000]), 64)),
    args: embedIdx,
    expect: {
      code: 1,
      stderr:
        /train-labels-idx1-ubyte\.gz: holds 40000000 labels but train-images-idx3-ubyte\.gz holds 10 images; expected one label per image/,
      seconds: 10,
      rssMB: 350,
    },
  },
  {
    name: 'embed: IDX images of 100000×100000 pixels are refused at the header',
    setup: async ({ dir, assets, h }) =>
      idxSet(dir, assets, h, await idxLabels(10), await gzip(Buffer.concat([idxHeader([10, 100000, 100000]), Buffer.alloc(1000)]))),
    args: embedIdx,
    expect: {
      code: 1,
      stderr: /train-images-idx3-ubyte\.gz: has images of 100000×100000 pixels; expected each side between 1 and 4096/,
      seconds: 10,
      rssMB: 500,
    },
  },
  {
    name: 'embed: an IDX labels file that is a FIFO is refused at once (once hung)',
    setup: async ({ dir, assets, h }) => {
      await idxSet(dir, assets, h);
      h.mkfifo(join(dir, 'idx/train-labels-idx1-ubyte.gz'));
    },
    args: embedIdx,
    expect: { code: 1, stderr: /train-labels-idx1-ubyte\.gz: is a FIFO \(named pipe\); expected an IDX file/, seconds: 10, rssMB: 500 },
  },
  // --- absurd counts: capped with a usage error naming the cap and why ---
  flagCase(
    'project: --epochs 1e9 is a usage error naming the cap (once ran unbounded)',
    ['project', '--embeddings', 'e.npy', '--out', 'xy.npy', '--epochs', '1e9'],
    /--epochs 1e9 is more than 10000, the most UMAP epochs accepted/,
  ),
  flagCase(
    'project: --neighbors 1e6 is a usage error naming the cap',
    ['project', '--embeddings', 'e.npy', '--out', 'xy.npy', '--neighbors', '1e6'],
    /--neighbors 1e6 is more than 1000, the most UMAP n_neighbors accepted/,
  ),
  flagCase(
    'eet: --batches 1e9 is a usage error naming the cap (once ran unbounded)',
    ['eet', '--embeddings', 'e.npy', '--labels', 'labels.json', '--batches', '1e9', '--pk', '2,3', '--seed', '1'],
    /--batches 1e9 is more than 100000, the most EET breakdown batches accepted/,
  ),
  flagCase(
    'inspect: --epochs 1e9 is a usage error naming the cap',
    ['inspect', 'e.npy', 'labels.json', '--epochs', '1e9'],
    /--epochs 1e9 is more than 10000/,
  ),
  flagCase(
    'inspect: --batches 1e9 is a usage error naming the cap',
    ['inspect', 'e.npy', 'labels.json', '--batches', '1e9'],
    /--batches 1e9 is more than 100000/,
  ),
  flagCase(
    'inspect: --k 1e9 is a usage error naming the cap',
    ['inspect', 'e.npy', 'labels.json', '--k', '1e9'],
    /--k 1e9 is more than 1000, the most neighbours kept per item accepted/,
  ),
  flagCase('inspect: --recall-k 0 is a usage error', ['inspect', 'e.npy', 'labels.json', '--recall-k', '0'], /--recall-k expects/),
  flagCase(
    'inspect: --recall-k 1,1e9 is a usage error naming the cap',
    ['inspect', 'e.npy', 'labels.json', '--recall-k', '1,1e9'],
    /--recall-k 1000000000 is more than 100000/,
  ),
  flagCase(
    'metrics: --k 1,1e9 is a usage error naming the cap',
    ['metrics', '--embeddings', 'e.npy', '--labels', 'labels.json', '--k', '1,1e9'],
    /--k 1000000000 is more than 100000, the most Recall@K accepted/,
  ),
  flagCase(
    'embed: --batch-size 1e9 is a usage error naming the cap',
    ['embed', 'm', 'images', '--out', 'e2.npy', '--batch-size', '1e9'],
    /--batch-size 1e9 is more than 4096, the most images per inference batch accepted/,
    ({ dir, assets, h }) => {
      h.copy(assets.model, join(dir, 'm'));
      h.copy(assets.dataset, join(dir, 'images'));
    },
  ),
  flagCase(
    'finetune: --epochs 1e9 is a usage error naming the cap',
    ['finetune', 'm', 'images', '--out', 'tuned', '--epochs', '1e9'],
    /--epochs 1e9 is more than 10000, the most fine-tune epochs accepted/,
    ({ dir, assets, h }) => {
      h.copy(assets.model, join(dir, 'm'));
      h.copy(assets.dataset, join(dir, 'images'));
    },
  ),
  {
    name: 'project: --threads 1000 is lowered to the cores with a note (once started 1000 workers, 6 GB)',
    setup: ({ dir, h }) => embeddings(dir, h, 2000, 8, 4),
    args: () => ['project', '--embeddings', 'e.npy', '--out', 'xy.npy', '--threads', '1000', '--epochs', '50'],
    expect: {
      code: 0,
      stderr: /note: --threads: 1000 threads requested but this machine has \d+ cores; using \d+/,
      seconds: 60,
      rssMB: 1200,
    },
  },
  // --- Ctrl-C during a long metrics run: "cancelled", never onnxruntime's "Session already disposed" ---
  {
    name: 'metrics: Ctrl-C on 50k×64 embeddings says cancelled, never "Session already disposed"',
    setup: ({ dir, h }) => embeddings(dir, h, 50000, 64, 100),
    args: metricsArgsFor,
    signal: { when: /Retrieval metrics: [1-9]\d*\/50000/ },
    expect: { code: 1, stderr: /embedding-lens metrics: cancelled/, seconds: 60, rssMB: 2000 },
    check: ({ result }) => {
      if (/disposed|onnxruntime/i.test(result.stderr)) throw new Error(`stderr mentions onnxruntime: ${result.stderr.slice(-300)}`);
    },
  },
];

function metricsArgsFor() {
  return ['metrics', '--embeddings', 'e.npy', '--labels', 'labels.json'];
}
