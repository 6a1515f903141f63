import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { makeProductImages, DEMO_MARKER, PRODUCT_CLASSES } from '../../../src/demo';
import { LensError, isCancelled } from '../../../src/core/errors';
import { hashTree, scratch } from './helpers';

const tmp = scratch('products');
after(tmp.cleanup);

const small = { classes: 4, perClass: 6, size: 32 };

test('same seed gives byte-identical files; another seed gives different images', async () => {
  const a = await makeProductImages(join(tmp.dir, 'a'), { ...small, seed: 7 });
  const b = await makeProductImages(join(tmp.dir, 'b'), { ...small, seed: 7 });
  const c = await makeProductImages(join(tmp.dir, 'c'), { ...small, seed: 8 });
  const ha = hashTree(a.root);
  const hb = hashTree(b.root);
  const hc = hashTree(c.root);
  assert.equal(ha.size, 4 * 6 + 1);
  assert.deepEqual([...ha], [...hb]);
  assert.deepEqual([...ha.keys()], [...hc.keys()]);
  const pngs = [...ha.keys()].filter((k) => k.endsWith('.png'));
  const differing = pngs.filter((k) => ha.get(k) !== hc.get(k));
  assert.equal(differing.length, pngs.length, 'every image changes with the seed');
});

test('a class looks the same whatever the class count (seeded per class, not per position)', async () => {
  const two = await makeProductImages(join(tmp.dir, 'two'), { ...small, classes: 2, seed: 7 });
  const four = hashTree(join(tmp.dir, 'a'));
  for (const [k, h] of hashTree(two.root)) if (k.endsWith('.png')) assert.equal(four.get(k), h, k);
});

test('ImageFolder layout, counts, names and the provenance marker', async () => {
  const ds = await makeProductImages(join(tmp.dir, 'layout'), { classes: 5, perClass: 12, size: 24, seed: 3 });
  const expected = PRODUCT_CLASSES.slice(0, 5)
    .map((c) => c.name)
    .sort();
  assert.deepEqual(ds.classNames, expected);
  assert.equal(ds.count, 60);
  assert.deepEqual(
    readdirSync(ds.root)
      .filter((n) => !n.startsWith('.'))
      .sort(),
    expected,
  );
  for (const cls of expected) {
    const files = readdirSync(join(ds.root, cls)).sort();
    assert.deepEqual(
      files,
      Array.from({ length: 12 }, (_, i) => `${String(i).padStart(3, '0')}.png`),
    );
  }
  const marker = JSON.parse(readFileSync(join(ds.root, DEMO_MARKER), 'utf8'));
  assert.equal(marker.seed, 3);
  assert.equal(marker.count, 60);
  assert.deepEqual(marker.classes.slice().sort(), expected);
  // The temp folder was renamed away, not left beside the result.
  assert.deepEqual(
    readdirSync(tmp.dir).filter((n) => n.includes('.tmp-') || n.includes('.old-')),
    [],
  );
});

test('defaults: 12 classes × 40 images of 64×64 RGB that decode with sharp', async () => {
  const ds = await makeProductImages(join(tmp.dir, 'defaults'));
  assert.equal(ds.classNames.length, 12);
  assert.equal(ds.count, 480);
  assert.ok(ds.classNames.includes('sneaker') && ds.classNames.includes('boot'));
  assert.ok(ds.classNames.includes('mug') && ds.classNames.includes('bottle'));
  for (const cls of ds.classNames) {
    const files = readdirSync(join(ds.root, cls));
    assert.equal(files.length, 40, cls);
    const meta = await sharp(join(ds.root, cls, files[0])).metadata();
    assert.equal(meta.format, 'png');
    assert.equal(meta.width, 64);
    assert.equal(meta.height, 64);
    assert.equal(meta.channels, 3);
  }
});

test("classNames picks exactly those classes, each drawn as in the full set (the demo's trained / held-out halves)", async () => {
  const names = ['laptop', 'mug', 'umbrella'];
  const ds = await makeProductImages(join(tmp.dir, 'named'), { classNames: names, perClass: 6, size: 32, seed: 7 });
  assert.deepEqual(ds.classNames, [...names].sort());
  assert.equal(ds.count, 18);
  const all = await makeProductImages(join(tmp.dir, 'all20'), { classes: PRODUCT_CLASSES.length, perClass: 6, size: 32, seed: 7 });
  assert.equal(all.classNames.length, 20);
  const full = hashTree(all.root);
  for (const [k, h] of hashTree(ds.root)) if (k.endsWith('.png')) assert.equal(full.get(k), h, k);
});

test('images are not blank: the product differs from the background and images vary within a class', async () => {
  const root = join(tmp.dir, 'a');
  const stats = await Promise.all(readdirSync(join(root, 'mug')).map((f) => sharp(join(root, 'mug', f)).stats()));
  for (const s of stats)
    assert.ok(
      s.channels.some((ch) => ch.stdev > 12),
      'a product stands out from its background',
    );
  const means = stats.map((s) => s.channels.map((ch) => ch.mean).join(','));
  assert.equal(new Set(means).size, means.length, 'no two images of a class are the same');
});

test('an aborted run leaves no dataset and no temp folder', async () => {
  const parent = join(tmp.dir, 'abort');
  mkdirSync(parent);
  const ac = new AbortController();
  const seen: number[] = [];
  await assert.rejects(
    makeProductImages(
      join(parent, 'ds'),
      { ...small, perClass: 20, seed: 1 },
      {
        signal: ac.signal,
        onProgress: (p) => {
          seen.push(p.done);
          if (p.done >= 5) ac.abort();
        },
      },
    ),
    (err) => isCancelled(err),
  );
  assert.ok(seen.some((d) => d >= 5));
  assert.deepEqual(readdirSync(parent), []);
});

test('an aborted rerun keeps the previous demo dataset intact', async () => {
  const out = join(tmp.dir, 'rerun');
  await makeProductImages(out, { ...small, seed: 11 });
  const before = hashTree(out);
  const ac = new AbortController();
  await assert.rejects(
    makeProductImages(out, { ...small, seed: 12 }, { signal: ac.signal, onProgress: (p) => p.done >= 2 && ac.abort() }),
    (err) => isCancelled(err),
  );
  assert.deepEqual([...hashTree(out)], [...before]);
  // A completed rerun replaces it.
  await makeProductImages(out, { ...small, seed: 12 });
  assert.notDeepEqual([...hashTree(out)], [...before]);
  assert.deepEqual(
    readdirSync(tmp.dir).filter((n) => n.includes('.tmp-') || n.includes('.old-')),
    [],
  );
});

test('refuses to replace a folder that is not a demo dataset', async () => {
  const out = join(tmp.dir, 'precious');
  mkdirSync(out);
  writeFileSync(join(out, 'notes.txt'), 'keep me');
  await assert.rejects(
    makeProductImages(out, small),
    (err) => err instanceof LensError && err.message.includes(out) && /not a demo folder/.test(err.message),
  );
  assert.equal(readFileSync(join(out, 'notes.txt'), 'utf8'), 'keep me');
  assert.ok(!existsSync(join(out, 'mug')));
});

test('rejects out-of-range options with a clear error', async () => {
  const out = join(tmp.dir, 'bad');
  await assert.rejects(
    makeProductImages(out, { classes: 21 }),
    (err) => err instanceof LensError && /classes must be an integer from 2 to 20/.test(err.message),
  );
  await assert.rejects(
    makeProductImages(out, { classNames: ['mug', 'spaceship'] }),
    (err) => err instanceof LensError && /no class spaceship/.test(err.message),
  );
  await assert.rejects(
    makeProductImages(out, { classNames: ['mug', 'mug'] }),
    (err) => err instanceof LensError && /repeat/.test(err.message),
  );
  await assert.rejects(
    makeProductImages(out, { classNames: ['mug'], classes: 2 }),
    (err) => err instanceof LensError && /exclude each other/.test(err.message),
  );
  await assert.rejects(makeProductImages(out, { perClass: 0 }), (err) => err instanceof LensError && /perClass/.test(err.message));
  await assert.rejects(makeProductImages(out, { size: 8.5 }), (err) => err instanceof LensError && /size/.test(err.message));
  assert.ok(!existsSync(out));
});
