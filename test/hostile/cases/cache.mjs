// The on-disk caches as a careless or hostile user leaves them: a --cache-dir that is a file, a
// FIFO, a device or a read-only folder; entries damaged in place keeping their size (a bad disk, a
// half-finished copy, an edit); and images swapped keeping size and mtime. The run must neither fail
// at the end nor show stale or damaged numbers: it goes on without the cache, or drops the bad entry
// and recomputes, and says so. Each case failed before issue #14's fixes.
import { spawnSync } from 'node:child_process';
import { chmodSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from '../harness.mjs';

const cli = join(root, 'dist/cli.js');

/** A cache folder outside the case folder (so the snapshot does not see the entries the runs write). */
const cacheOf = (dir) => join(dir, '..', 'scratch', 'lens-cache');

/** Runs the CLI once during setup to fill the cache; throws with its stderr if it fails. */
function prime(dir, args) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  if (r.status !== 0) throw new Error(`priming run ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
  return r.stdout ? JSON.parse(r.stdout) : undefined;
}

/** The only entry folder under <cache>/embeddings. */
function embeddingsEntry(cache) {
  const entries = readdirSync(join(cache, 'embeddings')).filter((n) => !n.includes('.tmp'));
  if (entries.length !== 1) throw new Error(`expected one embeddings cache entry, found ${entries.length}`);
  return join(cache, 'embeddings', entries[0]);
}

/** Flips bits of the byte at `offset` (negative: from the end), keeping the file's size and mtime. */
function flipByte(file, offset, mask = 0x40) {
  const st = statSync(file);
  const b = readFileSync(file);
  const i = offset < 0 ? b.length + offset : offset;
  b[i] ^= mask;
  writeFileSync(file, b);
  utimesSync(file, st.atime, st.mtime);
}

/** A 32×32 24-bit BMP of one colour: every such file has the same size (3126 bytes). */
function bmp(r, g, b) {
  const w = 32;
  const h = 32;
  const buf = Buffer.alloc(54 + w * h * 3);
  buf.write('BM', 0, 'latin1');
  buf.writeUInt32LE(buf.length, 2);
  buf.writeUInt32LE(54, 10);
  buf.writeUInt32LE(40, 14);
  buf.writeInt32LE(w, 18);
  buf.writeInt32LE(h, 22);
  buf.writeUInt16LE(1, 26);
  buf.writeUInt16LE(24, 28);
  buf.writeUInt32LE(w * h * 3, 34);
  for (let p = 0; p < w * h; p++) {
    // A gradient per class so the images differ within a class as well.
    const k = p % w;
    buf[54 + p * 3] = (b + k * 3) & 255;
    buf[54 + p * 3 + 1] = (g + k) & 255;
    buf[54 + p * 3 + 2] = r;
  }
  return buf;
}

const COLOURS = [
  [220, 20, 20],
  [20, 200, 30],
  [30, 40, 230],
  [200, 200, 20],
];

/** Whole seconds, as tar, zip and many copy tools keep mtimes: a swap can restore them exactly. */
const MTIME = 1_700_000_000;

/** An ImageFolder of same-size BMPs with the same whole-second mtime: 4 classes × 4 images. */
function bmpDataset(h, folder) {
  COLOURS.forEach(([r, g, b], c) => {
    for (let i = 0; i < 4; i++) {
      const file = join(folder, `class${c}`, `${i}.bmp`);
      h.write(file, bmp(r, (g + i * 9) & 255, b));
      utimesSync(file, MTIME, MTIME);
    }
  });
}

const embedSummary = (result) => JSON.parse(result.stdout);
const EMBED = { seconds: 40, rssMB: 1500 };
const INSPECT = { seconds: 60, rssMB: 1500 };

/** The check every damaged-entry case makes: recomputed (not from the cache) and said. */
const recomputed =
  (pattern) =>
  ({ result }) => {
    const s = embedSummary(result);
    if (s.fromCache) throw new Error('the damaged entry was used');
    // The cache's own state is a routine remark on the run (details), not an assumption about the data.
    if (!s.details.some((a) => pattern.test(a))) throw new Error(`no note matching ${pattern} in ${JSON.stringify(s.details)}`);
  };

export const cases = [
  // ── item 12: an unusable cache folder is found at the start; the run goes on without it ─────
  {
    name: 'inspect --cache-dir naming a file runs without a cache and says so',
    setup: ({ dir, h }) => h.write(join(dir, 'notes.txt'), 'my notes, not a folder'),
    args: () => ['inspect', 'model', 'images', '--cache-dir', 'notes.txt'],
    expect: { code: 0, stdout: /cache off for this run: notes\.txt cannot hold the cache \(it is not a folder, EEXIST\)/, ...INSPECT },
  },
  {
    name: 'embed --cache-dir naming a file runs without a cache and says so',
    setup: ({ dir, h }) => h.write(join(dir, 'notes.txt'), 'my notes, not a folder'),
    args: ({ dir }) => ['embed', 'model', 'images', '--cache-dir', join(dir, 'notes.txt')],
    expect: { code: 0, stdout: /cache off for this run: .*notes\.txt cannot hold the cache/, ...EMBED },
  },
  {
    name: 'inspect --cache-dir below a file (ENOTDIR) runs without a cache',
    setup: ({ dir, h }) => h.write(join(dir, 'notes.txt'), 'a file'),
    args: () => ['inspect', 'model', 'images', '--cache-dir', 'notes.txt/cache'],
    expect: {
      code: 0,
      stdout: /cache off for this run: notes\.txt\/cache cannot hold the cache \(it is not a folder, ENOTDIR\)/,
      ...INSPECT,
    },
  },
  {
    name: 'inspect --cache-dir naming a FIFO runs without a cache instead of hanging',
    setup: ({ dir, h }) => h.mkfifo(join(dir, 'pipe')),
    args: () => ['inspect', 'model', 'images', '--cache-dir', 'pipe'],
    expect: { code: 0, stdout: /cache off for this run: pipe cannot hold the cache/, ...INSPECT },
  },
  {
    name: 'inspect --cache-dir /dev/null runs without a cache and writes nothing there',
    args: () => ['inspect', 'model', 'images', '--cache-dir', '/dev/null'],
    expect: { code: 0, stdout: /cache off for this run: \/dev\/null cannot hold the cache/, ...INSPECT },
    check: () => {
      if (!statSync('/dev/null').isCharacterDevice()) throw new Error('/dev/null is no longer a device');
    },
  },
  {
    name: 'inspect with a read-only --cache-dir (as nobody) runs without a cache, no EACCES trace',
    user: 'nobody',
    setup: ({ dir, h }) => {
      h.write(join(dir, 'cache/README'), 'a read-only cache folder');
      chmodSync(join(dir, 'cache'), 0o555);
    },
    args: () => ['inspect', 'model', 'images', '--cache-dir', 'cache', '--out', 'report.html'],
    changes: ['report.html'],
    expect: { code: 0, stdout: /cache off for this run: cache cannot hold the cache \(it is not writable, EACCES\)/, ...INSPECT },
    check: ({ dir, h }) => {
      if (!h.exists(join(dir, 'report.html'))) throw new Error('the report was not written');
    },
  },
  {
    name: 'inspect with a cache whose inspections/ is a file finishes and notes it',
    setup: ({ dir, h }) => h.write(join(cacheOf(dir), 'inspections'), 'not a folder'),
    args: ({ dir }) => ['inspect', 'model', 'images', '--cache-dir', cacheOf(dir)],
    expect: { code: 0, stdout: /inspection not cached/, ...INSPECT },
  },

  // ── the embeddings cache is keyed by content ─────────────────────────────────────────────────
  {
    name: 'embed does not reuse the cache after images are swapped keeping size and mtime',
    setup: ({ dir, h }) => {
      bmpDataset(h, join(dir, 'bmps'));
      const first = prime(dir, ['embed', 'model', 'bmps', '--cache-dir', cacheOf(dir)]);
      if (first.fromCache) throw new Error('the priming run came from the cache');
      // Swap an image of class0 with one of class2: same sizes, mtimes restored as rsync -t / cp -p do.
      const a = join(dir, 'bmps/class0/0.bmp');
      const b = join(dir, 'bmps/class2/0.bmp');
      const [ba, bb] = [readFileSync(a), readFileSync(b)];
      if (ba.length !== bb.length) throw new Error('the swapped images must have the same size');
      writeFileSync(a, bb);
      writeFileSync(b, ba);
      utimesSync(a, MTIME, MTIME);
      utimesSync(b, MTIME, MTIME);
    },
    args: ({ dir }) => ['embed', 'model', 'bmps', '--cache-dir', cacheOf(dir)],
    expect: { code: 0, ...EMBED },
    check: ({ result }) => {
      if (embedSummary(result).fromCache) throw new Error('stale embeddings: the cache was used although two images changed content');
    },
  },
  {
    // A guard, not a regression case: keying by content must not cost the unchanged dataset its hit.
    name: 'embed still reuses the content-keyed cache for an unchanged dataset',
    setup: ({ dir, h }) => {
      bmpDataset(h, join(dir, 'bmps'));
      prime(dir, ['embed', 'model', 'bmps', '--cache-dir', cacheOf(dir)]);
    },
    args: ({ dir }) => ['embed', 'model', 'bmps', '--cache-dir', cacheOf(dir)],
    expect: { code: 0, stdout: /"fromCache": true/, ...EMBED },
  },

  // ── damaged entries keeping their size are caught by checksums ───────────────────────────────
  {
    name: 'embed drops a cache entry whose vectors.f32 has a flipped byte, recomputes and says so',
    setup: ({ dir }) => {
      prime(dir, ['embed', 'model', 'images', '--cache-dir', cacheOf(dir)]);
      flipByte(join(embeddingsEntry(cacheOf(dir)), 'vectors.f32'), 100);
    },
    args: ({ dir }) => ['embed', 'model', 'images', '--cache-dir', cacheOf(dir)],
    expect: { code: 0, ...EMBED },
    check: recomputed(/embeddings cache entry .* was damaged \(vectors\.f32 does not match its checksum\); dropped and recomputed/),
  },
  {
    name: 'embed drops a cache entry whose labels.i32 has a changed label',
    setup: ({ dir }) => {
      prime(dir, ['embed', 'model', 'images', '--cache-dir', cacheOf(dir)]);
      // Row 0's label 0 becomes 1: an image silently moved to another class.
      flipByte(join(embeddingsEntry(cacheOf(dir)), 'labels.i32'), 0, 0x01);
    },
    args: ({ dir }) => ['embed', 'model', 'images', '--cache-dir', cacheOf(dir)],
    expect: { code: 0, ...EMBED },
    check: recomputed(/labels\.i32 does not match its checksum/),
  },
  {
    name: 'embed drops a cache entry whose meta.json has a class name changed in place',
    setup: ({ dir }) => {
      prime(dir, ['embed', 'model', 'images', '--cache-dir', cacheOf(dir)]);
      const meta = join(embeddingsEntry(cacheOf(dir)), 'meta.json');
      const text = readFileSync(meta, 'utf8');
      const i = text.indexOf('"classNames":["') + '"classNames":["'.length;
      flipByte(meta, Buffer.byteLength(text.slice(0, i)), 0x20);
    },
    args: ({ dir }) => ['embed', 'model', 'images', '--cache-dir', cacheOf(dir)],
    expect: { code: 0, ...EMBED },
    check: recomputed(/meta\.json does not match its checksum/),
  },
  {
    name: 'embed drops a cache entry whose meta.json is garbage of the same size, saying so',
    setup: ({ dir }) => {
      prime(dir, ['embed', 'model', 'images', '--cache-dir', cacheOf(dir)]);
      const meta = join(embeddingsEntry(cacheOf(dir)), 'meta.json');
      writeFileSync(meta, Buffer.alloc(statSync(meta).size, 0x7a));
    },
    args: ({ dir }) => ['embed', 'model', 'images', '--cache-dir', cacheOf(dir)],
    expect: { code: 0, ...EMBED },
    check: recomputed(/was damaged \(it cannot be read/),
  },
  {
    name: 'embed drops a cache entry whose vectors.f32 was truncated, saying so',
    setup: ({ dir }) => {
      prime(dir, ['embed', 'model', 'images', '--cache-dir', cacheOf(dir)]);
      const vec = join(embeddingsEntry(cacheOf(dir)), 'vectors.f32');
      writeFileSync(vec, readFileSync(vec).subarray(0, 1000));
    },
    args: ({ dir }) => ['embed', 'model', 'images', '--cache-dir', cacheOf(dir)],
    expect: { code: 0, ...EMBED },
    check: recomputed(/vectors\.f32 does not match its checksum/),
  },
  {
    name: 'inspect drops a cached inspection damaged in place and recomputes it',
    setup: ({ dir }) => {
      prime(dir, ['inspect', 'model', 'images', '--cache-dir', cacheOf(dir)]);
      const folder = join(cacheOf(dir), 'inspections');
      const [entry] = readdirSync(folder).filter((n) => n.endsWith('.json'));
      const file = join(folder, entry);
      // A digit inside the metrics changes: recall would be shown wrong, silently.
      const text = readFileSync(file, 'utf8');
      const at = text.search(/"metrics"/) + 20;
      const digit = at + text.slice(at).search(/\d/);
      const b = readFileSync(file);
      b[digit] = b[digit] === 0x35 ? 0x36 : 0x35;
      writeFileSync(file, b);
    },
    args: ({ dir }) => ['inspect', 'model', 'images', '--cache-dir', cacheOf(dir)],
    expect: {
      code: 0,
      stdout: /inspection cache entry .* was damaged \(it does not match its checksum\); dropped and recomputed/,
      ...INSPECT,
    },
  },
  {
    name: 'inspect drops a cached layout damaged in place and recomputes it',
    setup: ({ dir }) => {
      const cache = cacheOf(dir);
      prime(dir, ['inspect', 'model', 'images', '--cache-dir', cache]);
      // Without the whole-inspection entry the layout cache is read; one of its floats is damaged.
      rmSync(join(cache, 'inspections'), { recursive: true });
      const [layout] = readdirSync(cache).filter((n) => n.startsWith('layout-'));
      flipByte(join(cache, layout), -3);
    },
    args: ({ dir }) => ['inspect', 'model', 'images', '--cache-dir', cacheOf(dir)],
    expect: {
      code: 0,
      stdout: /layout cache entry .* was damaged \(the layout does not match its checksum\); dropped and recomputed/,
      ...INSPECT,
    },
  },
].map((c) => ({
  ...c,
  // Every case embeds the asset dataset with the asset model, both copied into the case folder.
  setup: async (ctx) => {
    ctx.h.copy(ctx.assets.model, join(ctx.dir, 'model'));
    ctx.h.copy(ctx.assets.dataset, join(ctx.dir, 'images'));
    return c.setup?.(ctx);
  },
}));
