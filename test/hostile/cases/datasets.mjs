// Hostile and careless datasets: FIFOs, devices and folders where images should be, symlink loops
// and linked class folders, duplicate and conflicting manifest rows, broken CSV quoting, missing
// values as labels, P×K settings that cannot form a batch, and report thumbnails of files outside
// the dataset. Each case is an input a user could hand the CLI; each failed before issue #14's fixes.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A manifest of `rows` ([path, label] pairs) with a path,label header. */
const csv = (rows) => ['path,label', ...rows.map(([p, l]) => `${p},${l}`)].join('\n') + '\n';

/** The asset dataset's images as manifest rows relative to dir ("images/<class>/<file>"). */
function datasetRows(assets) {
  const rows = [];
  for (const cls of readdirSync(assets.dataset)
    .filter((n) => !n.startsWith('.'))
    .sort()) {
    for (const f of readdirSync(join(assets.dataset, cls)).sort()) rows.push([`images/${cls}/${f}`, cls]);
  }
  return rows;
}

const classesOf = (assets) =>
  readdirSync(assets.dataset)
    .filter((n) => !n.startsWith('.'))
    .sort();

/** The JSON summary `embed` prints on stdout. */
const summary = (result) => JSON.parse(result.stdout);

const expectEmbed = (result, n) => {
  const s = summary(result);
  if (s.n !== n) throw new Error(`embedded ${s.n} items, expected ${n}`);
  return s;
};

const EMBED = { seconds: 40, rssMB: 1500 };
const INSPECT = { seconds: 60, rssMB: 1500 };

export const cases = [
  // ── item 11: only regular files are read ────────────────────────────────────────────────────
  // The dataset's own files first: a manifest, a list file, a labels file or a query mask that is a
  // FIFO is refused at once naming it (these once blocked for ever in the open).
  {
    name: 'embed with a manifest that is a FIFO is refused at once',
    setup: ({ dir, assets, h }) => {
      h.copy(assets.model, join(dir, 'model'));
      h.mkfifo(join(dir, 'm.csv'));
    },
    args: () => ['embed', 'model', 'm.csv', '--no-cache'],
    expect: { code: 1, stderr: /m\.csv: is a FIFO \(named pipe\); expected a dataset manifest/, seconds: 10, rssMB: 800 },
  },
  {
    name: 'embed with an SOP list file that is a FIFO is refused at once',
    setup: ({ dir, assets, h }) => {
      h.copy(assets.model, join(dir, 'model'));
      h.mkfifo(join(dir, 'sop/Ebay_test.txt'));
    },
    args: () => ['embed', 'model', 'sop/Ebay_test.txt', '--no-cache'],
    expect: { code: 1, stderr: /Ebay_test\.txt: is a FIFO \(named pipe\); expected a dataset list file/, seconds: 10, rssMB: 800 },
  },
  {
    name: 'metrics with a labels file that is a FIFO is refused at once',
    setup: ({ dir, assets, h }) => {
      h.copy(assets.npy, join(dir, 'e.npy'));
      h.mkfifo(join(dir, 'labels.txt'));
    },
    args: () => ['metrics', '--embeddings', 'e.npy', '--labels', 'labels.txt'],
    expect: { code: 1, stderr: /labels\.txt: is a FIFO \(named pipe\); expected a labels file/, seconds: 10, rssMB: 800 },
  },
  {
    name: 'metrics with a query mask that is a FIFO is refused at once',
    setup: ({ dir, assets, h }) => {
      h.copy(assets.npy, join(dir, 'e.npy'));
      h.copy(assets.labels, join(dir, 'labels.json'));
      h.mkfifo(join(dir, 'mask.json'));
    },
    args: () => ['metrics', '--embeddings', 'e.npy', '--labels', 'labels.json', '--protocol', 'query-gallery', '--query-mask', 'mask.json'],
    expect: { code: 1, stderr: /mask\.json: is a FIFO \(named pipe\); expected a JSON array of booleans/, seconds: 10, rssMB: 800 },
  },
  {
    name: 'embed skips a FIFO listed in a manifest instead of hanging on it',
    setup: ({ dir, assets, h }) => {
      h.copy(assets.dataset, join(dir, 'images'));
      h.mkfifo(join(dir, 'images/pipe.png'));
      h.write(join(dir, 'm.csv'), csv([...datasetRows(assets), ['images/pipe.png', classesOf(assets)[0]]]));
    },
    args: () => ['embed', 'model', 'm.csv', '--no-cache'],
    expect: { code: 0, stdout: /not a regular file \(a FIFO \(named pipe\)\)/, ...EMBED },
    check: ({ result }) => {
      const s = expectEmbed(result, 24);
      if (s.skipped.count !== 1) throw new Error(`skipped ${s.skipped.count}, expected 1 (the FIFO)`);
    },
  },
  {
    name: 'embed skips /dev/zero listed in a manifest instead of reading it for ever',
    setup: ({ dir, assets, h }) => {
      h.copy(assets.dataset, join(dir, 'images'));
      h.write(join(dir, 'm.csv'), csv([...datasetRows(assets), ['/dev/zero', classesOf(assets)[1]]]));
    },
    args: () => ['embed', 'model', 'm.csv', '--no-cache'],
    expect: { code: 0, stdout: /not a regular file \(a device file\)/, ...EMBED },
    check: ({ result }) => expectEmbed(result, 24),
  },
  {
    name: 'embed skips /dev/zero in a manifest with the cache on (no endless hashing)',
    setup: ({ dir, assets, h }) => {
      h.copy(assets.dataset, join(dir, 'images'));
      h.write(join(dir, 'm.csv'), csv([...datasetRows(assets), ['/dev/zero', classesOf(assets)[1]]]));
    },
    args: () => ['embed', 'model', 'm.csv'],
    expect: { code: 0, stdout: /not a regular file \(a device file\)/, ...EMBED },
    check: ({ result }) => expectEmbed(result, 24),
  },
  {
    name: 'embed skips a folder listed as an image in a manifest, saying it is not a regular file',
    setup: ({ dir, assets, h }) => {
      h.copy(assets.dataset, join(dir, 'images'));
      h.write(join(dir, 'images/fake.png/inner.txt'), 'a folder named like an image');
      h.write(join(dir, 'm.csv'), csv([...datasetRows(assets), ['images/fake.png', classesOf(assets)[2]]]));
    },
    args: () => ['embed', 'model', 'm.csv', '--no-cache'],
    expect: { code: 0, stdout: /not a regular file \(a folder\)/, ...EMBED },
    check: ({ result }) => expectEmbed(result, 24),
  },
  {
    name: 'embed of an image folder holding a FIFO named like an image ignores it and says so',
    setup: ({ dir, assets, h }) => {
      h.copy(assets.dataset, join(dir, 'images'));
      h.mkfifo(join(dir, 'images', classesOf(assets)[0], 'zz-pipe.png'));
    },
    args: () => ['embed', 'model', 'images', '--no-cache'],
    expect: { code: 0, stdout: /not regular files \(FIFO, device, socket\) ignored/, ...EMBED },
    check: ({ result }) => expectEmbed(result, 24),
  },
  {
    name: 'embed of an image folder with a symlink to /dev/zero named like an image ignores it',
    setup: ({ dir, assets, h }) => {
      h.copy(assets.dataset, join(dir, 'images'));
      h.symlink('/dev/zero', join(dir, 'images', classesOf(assets)[1], 'zero.png'));
    },
    args: () => ['embed', 'model', 'images'],
    expect: { code: 0, stdout: /not regular files/, ...EMBED },
    check: ({ result }) => expectEmbed(result, 24),
  },

  // ── duplicate and conflicting manifest rows ──────────────────────────────────────────────────
  {
    name: 'inspect drops exact duplicate manifest rows with a note (no inflated recall)',
    setup: ({ dir, assets, h }) => {
      h.copy(assets.dataset, join(dir, 'images'));
      const rows = datasetRows(assets);
      h.write(join(dir, 'm.csv'), csv([...rows, ...rows]));
    },
    args: () => ['inspect', 'model', 'm.csv', '--no-cache'],
    expect: { code: 0, stdout: /24 duplicate row\(s\) dropped/, ...INSPECT },
    check: ({ result }) => {
      const s = JSON.parse(result.stdout);
      if (s.items !== 24) throw new Error(`inspected ${s.items} items, expected 24`);
    },
  },
  {
    name: 'embed treats "./a.png" and "a.png" in a manifest as the same image',
    setup: ({ dir, assets, h }) => {
      h.copy(assets.dataset, join(dir, 'images'));
      const rows = datasetRows(assets);
      h.write(join(dir, 'm.csv'), csv([...rows, [`./${rows[0][0]}`, rows[0][1]], [join(dir, rows[1][0]), rows[1][1]]]));
    },
    args: () => ['embed', 'model', 'm.csv', '--no-cache'],
    expect: { code: 0, stdout: /2 duplicate row\(s\) dropped/, ...EMBED },
    check: ({ result }) => expectEmbed(result, 24),
  },
  {
    name: 'embed refuses a manifest listing one image under two labels, naming both lines',
    setup: ({ dir, assets, h }) => {
      h.copy(assets.dataset, join(dir, 'images'));
      const rows = datasetRows(assets);
      h.write(join(dir, 'm.csv'), csv([...rows, [rows[2][0], classesOf(assets)[3]]]));
    },
    args: () => ['embed', 'model', 'm.csv', '--no-cache'],
    expect: { code: 1, stderr: /m\.csv: lists .*twice with different labels: "\w+" on line 4 and "\w+" on line 26/, ...EMBED },
  },
  {
    name: 'embed refuses a JSONL manifest listing one image under two labels',
    setup: ({ dir, assets, h }) => {
      h.copy(assets.dataset, join(dir, 'images'));
      const rows = datasetRows(assets);
      const lines = [...rows, [rows[0][0], classesOf(assets)[1]]].map(([path, label]) => JSON.stringify({ path, label }));
      h.write(join(dir, 'm.jsonl'), lines.join('\n') + '\n');
    },
    args: () => ['embed', 'model', 'm.jsonl', '--no-cache'],
    expect: { code: 1, stderr: /m\.jsonl: lists .*twice with different labels: .* on line 1 and .* on line 25/, ...EMBED },
  },
  {
    name: 'embed refuses a manifest listing one image in two splits',
    setup: ({ dir, assets, h }) => {
      h.copy(assets.dataset, join(dir, 'images'));
      const rows = datasetRows(assets);
      const text = ['path,label,split', ...rows.map(([p, l]) => `${p},${l},train`), `${rows[5][0]},${rows[5][1]},test`].join('\n') + '\n';
      h.write(join(dir, 'm.csv'), text);
    },
    args: () => ['embed', 'model', 'm.csv', '--no-cache'],
    expect: { code: 1, stderr: /in two splits: "train" on line 7 and "test" on line 26/, ...EMBED },
  },

  // ── symlinks in image folders ────────────────────────────────────────────────────────────────
  {
    name: 'embed counts a symlinked class folder once, not as a second class',
    setup: ({ dir, assets, h }) => {
      h.copy(assets.dataset, join(dir, 'images'));
      h.symlink(classesOf(assets)[0], join(dir, 'images/zz-alias'));
    },
    args: () => ['embed', 'model', 'images', '--no-cache'],
    expect: { code: 0, stdout: /reached a second time through a symlink scanned once/, ...EMBED },
    check: ({ result }) => {
      const s = expectEmbed(result, 24);
      if (s.classes !== 4) throw new Error(`${s.classes} classes, expected 4`);
    },
  },
  {
    name: 'embed follows a symlink loop inside a class folder once and ends',
    setup: ({ dir, assets, h }) => {
      h.copy(assets.dataset, join(dir, 'images'));
      h.symlink('..', join(dir, 'images', classesOf(assets)[1], 'up'));
      h.symlink('.', join(dir, 'images', classesOf(assets)[2], 'self'));
    },
    args: () => ['embed', 'model', 'images', '--no-cache'],
    expect: { code: 0, stdout: /2 folder\(s\) reached a second time/, ...EMBED },
    check: ({ result }) => expectEmbed(result, 24),
  },
  {
    name: 'embed counts an image linked into a second class once, under its first path',
    setup: ({ dir, assets, h }) => {
      h.copy(assets.dataset, join(dir, 'images'));
      const [a, , , d] = classesOf(assets);
      const file = readdirSync(join(assets.dataset, a)).sort()[0];
      h.symlink(join('..', a, file), join(dir, 'images', d, 'linked.png'));
    },
    args: () => ['embed', 'model', 'images', '--no-cache'],
    expect: { code: 0, stdout: /1 image\(s\) reached a second time through a symlink counted once/, ...EMBED },
    check: ({ result }) => expectEmbed(result, 24),
  },
  {
    name: 'embed ignores a self-referencing image symlink (ELOOP) and says so',
    setup: ({ dir, assets, h }) => {
      h.copy(assets.dataset, join(dir, 'images'));
      h.symlink('loop.png', join(dir, 'images', classesOf(assets)[0], 'loop.png'));
    },
    args: () => ['embed', 'model', 'images', '--no-cache'],
    expect: { code: 0, stdout: /1 broken or looping symlink\(s\) ignored/, ...EMBED },
    check: ({ result }) => expectEmbed(result, 24),
  },
  {
    name: 'embed notes a class folder symlinked from outside the dataset',
    setup: ({ dir, assets, h }) => {
      h.copy(assets.dataset, join(dir, 'images'));
      const [a] = classesOf(assets);
      h.copy(join(assets.dataset, a), join(dir, 'elsewhere/extra'));
      h.symlink(join(dir, 'elsewhere/extra'), join(dir, 'images/zz-extra'));
    },
    args: () => ['embed', 'model', 'images', '--no-cache'],
    expect: { code: 0, stdout: /1 symlink\(s\) lead outside/, ...EMBED },
    check: ({ result }) => expectEmbed(result, 30),
  },

  // ── unclear errors ───────────────────────────────────────────────────────────────────────────
  {
    name: 'embed names the line of an unbalanced CSV quote instead of "no image could be decoded"',
    setup: ({ dir, assets, h }) => {
      h.copy(assets.dataset, join(dir, 'images'));
      const rows = datasetRows(assets);
      const lines = ['path,label', ...rows.map(([p, l]) => `${p},${l}`)];
      lines[4] = `"${rows[3][0]},${rows[3][1]}`;
      h.write(join(dir, 'm.csv'), lines.join('\n') + '\n');
    },
    args: () => ['embed', 'model', 'm.csv', '--no-cache'],
    expect: { code: 1, stderr: /m\.csv: line 5 opens a quote \("\) that is never closed/, ...EMBED },
  },
  {
    name: 'inspect of a one-image-per-class dataset names the dataset',
    setup: async ({ dir, assets, h }) => {
      for (const [i, c] of classesOf(assets).entries()) await h.png(join(dir, 'single', c, 'only.png'), 32, i + 1);
    },
    args: () => ['inspect', 'model', 'single', '--no-cache'],
    expect: { code: 1, stderr: /single: has one item per class \(4 classes, 4 items/, ...INSPECT },
  },

  // ── missing values as labels ─────────────────────────────────────────────────────────────────
  {
    name: 'eet refuses "NaN" in a text labels file, naming the line',
    setup: ({ dir, assets, h }) => {
      h.copy(assets.npy, join(dir, 'e.npy'));
      const labels = JSON.parse(readFileSync(assets.labels, 'utf8'));
      labels[6] = 'NaN';
      h.write(join(dir, 'labels.txt'), labels.join('\n') + '\n');
    },
    args: () => ['eet', '--embeddings', 'e.npy', '--labels', 'labels.txt'],
    expect: { code: 1, stderr: /labels\.txt: line 7 is "NaN", a missing value/, seconds: 20, rssMB: 800 },
  },
  {
    name: 'inspect refuses "None" in a text labels file, naming the line',
    setup: ({ dir, assets, h }) => {
      h.copy(assets.npy, join(dir, 'e.npy'));
      const labels = JSON.parse(readFileSync(assets.labels, 'utf8'));
      labels[0] = 'None';
      h.write(join(dir, 'labels.txt'), labels.join('\n') + '\n');
    },
    args: () => ['inspect', 'e.npy', 'labels.txt', '--no-cache'],
    expect: { code: 1, stderr: /labels\.txt: line 1 is "None", a missing value/, ...INSPECT },
  },
  {
    name: 'inspect refuses "null" in a JSON labels array',
    setup: ({ dir, assets, h }) => {
      h.copy(assets.npy, join(dir, 'e.npy'));
      const labels = JSON.parse(readFileSync(assets.labels, 'utf8'));
      labels[3] = 'null';
      h.write(join(dir, 'labels.json'), JSON.stringify(labels));
    },
    args: () => ['inspect', 'e.npy', 'labels.json', '--no-cache'],
    expect: { code: 1, stderr: /labels\.json: label 3 is "null", a missing value/, ...INSPECT },
  },
  {
    name: 'embed refuses a manifest row labelled "nan", naming the line',
    setup: ({ dir, assets, h }) => {
      h.copy(assets.dataset, join(dir, 'images'));
      const rows = datasetRows(assets);
      rows[9][1] = 'nan';
      h.write(join(dir, 'm.csv'), csv(rows));
    },
    args: () => ['embed', 'model', 'm.csv', '--no-cache'],
    expect: { code: 1, stderr: /m\.csv: line 11 has the label "nan", a missing value/, ...EMBED },
  },

  // ── P×K that cannot form a batch ─────────────────────────────────────────────────────────────
  {
    name: 'eet --pk 1,1 is a usage error, not all-zero terms',
    setup: ({ dir, assets, h }) => {
      h.copy(assets.npy, join(dir, 'e.npy'));
      h.copy(assets.labels, join(dir, 'labels.json'));
    },
    args: () => ['eet', '--embeddings', 'e.npy', '--labels', 'labels.json', '--batches', '5', '--pk', '1,1', '--seed', '1'],
    expect: { code: 2, stderr: /--pk expects .*got "\d,\d"/, seconds: 20, rssMB: 800 },
  },
  {
    name: 'eet --pk 4,1 is a usage error (K = 1 leaves no positive)',
    setup: ({ dir, assets, h }) => {
      h.copy(assets.npy, join(dir, 'e.npy'));
      h.copy(assets.labels, join(dir, 'labels.json'));
    },
    args: () => ['eet', '--embeddings', 'e.npy', '--labels', 'labels.json', '--batches', '5', '--pk', '4,1', '--seed', '1'],
    expect: { code: 2, stderr: /--pk expects .*got "\d,\d"/, seconds: 20, rssMB: 800 },
  },
  {
    name: 'inspect --pk 1,4 is a usage error',
    setup: ({ dir, assets, h }) => {
      h.copy(assets.npy, join(dir, 'e.npy'));
      h.copy(assets.labels, join(dir, 'labels.json'));
    },
    args: () => ['inspect', 'e.npy', 'labels.json', '--pk', '1,4', '--no-cache'],
    expect: { code: 2, stderr: /--pk expects .*got "\d,\d"/, seconds: 20, rssMB: 800 },
  },
  {
    name: 'finetune that cannot form one P×K batch fails before writing anything',
    setup: async ({ dir, h }) => {
      // Six classes of one image: the class-disjoint split trains on four classes of one item each.
      for (let c = 0; c < 6; c++) await h.png(join(dir, 'tiny', `c${c}`, 'only.png'), 32, c + 1);
    },
    args: () => ['finetune', 'model', 'tiny', '--out', 'tuned', '--epochs', '1', '--backend', 'cpu'],
    expect: {
      code: 1,
      stderr: /tiny: cannot form one 8×4 training batch: .*a batch needs at least 2 classes with 2\+ items each/,
      seconds: 60,
      rssMB: 1500,
    },
    check: ({ dir, h }) => {
      if (h.exists(join(dir, 'tuned'))) throw new Error('tuned/ was written although no batch could be formed');
    },
  },

  // ── report thumbnails of files outside the dataset ───────────────────────────────────────────
  {
    name: 'inspect --out does not inline a manifest image reached by "../", and says so',
    setup: async ({ dir, assets, h }) => {
      h.copy(assets.dataset, join(dir, 'data/images'));
      await h.png(join(dir, 'private/secret.png'), 32, 99);
      const rows = datasetRows(assets);
      h.write(join(dir, 'data/m.csv'), csv([...rows, ['../private/secret.png', rows[0][1]]]));
    },
    args: () => ['inspect', 'model', 'data/m.csv', '--out', 'report.html', '--no-cache'],
    changes: ['report.html'],
    expect: { code: 0, stderr: /report written/, ...INSPECT },
    check: ({ dir }) => {
      const html = readFileSync(join(dir, 'report.html'), 'utf8');
      if (!/1 thumbnail\(s\) left out of the report: the file lies outside the dataset/.test(html))
        throw new Error('the report does not say a thumbnail was left out');
      const inlined = (html.match(/data:image\/jpeg;base64,/g) ?? []).length;
      if (inlined !== 24) throw new Error(`${inlined} thumbnails inlined, expected the 24 inside the dataset`);
    },
  },
  {
    name: 'inspect --out does not inline an image symlinked from outside the dataset',
    setup: async ({ dir, assets, h }) => {
      h.copy(assets.dataset, join(dir, 'images'));
      await h.png(join(dir, 'private/secret.png'), 32, 98);
      h.symlink(join(dir, 'private/secret.png'), join(dir, 'images', classesOf(assets)[0], 'zz-secret.png'));
    },
    args: () => ['inspect', 'model', 'images', '--out', 'report.html', '--no-cache'],
    changes: ['report.html'],
    expect: { code: 0, stdout: /1 symlink\(s\) lead outside/, ...INSPECT },
    check: ({ dir }) => {
      const html = readFileSync(join(dir, 'report.html'), 'utf8');
      if (!/1 thumbnail\(s\) left out of the report/.test(html)) throw new Error('the report does not say a thumbnail was left out');
      const inlined = (html.match(/data:image\/jpeg;base64,/g) ?? []).length;
      if (inlined !== 24) throw new Error(`${inlined} thumbnails inlined, expected 24`);
    },
  },
].map((c) => ({
  ...c,
  // Every case embeds with the asset model, copied into the case folder.
  setup: async (ctx) => {
    ctx.h.copy(ctx.assets.model, join(ctx.dir, 'model'));
    return c.setup?.(ctx);
  },
}));
