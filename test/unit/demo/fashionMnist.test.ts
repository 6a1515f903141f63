import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import {
  fashionMnistFolder,
  fashionMnistFolderName,
  locateFashionMnist,
  FASHION_MNIST_CLASSES,
  FASHION_MNIST_PACKAGE,
} from '../../../src/demo';
import { readIdx } from '../../../src/core/dataset/idx';
import { LensError, isCancelled } from '../../../src/core/errors';
import { hashTree, scratch, writeTinyIdx } from './helpers';

const tmp = scratch('fmnist');
after(tmp.cleanup);

/** Asks dpkg directly, independently of the code under test. */
const installed = spawnSync('dpkg', ['-s', FASHION_MNIST_PACKAGE], { encoding: 'utf8' }).status === 0;

/** The pixels and label of every written file equal the IDX item its name points at. */
async function assertMatchesSource(root: string, split: 'train' | 'test', sourceDir?: string): Promise<number> {
  const files = await locateFashionMnist(split, sourceDir);
  const images = await readIdx(files.images, { rank: 3 });
  const labels = await readIdx(files.labels, { rank: 1 });
  const [, h, w] = images.dims;
  let checked = 0;
  for (const [cls, name] of FASHION_MNIST_CLASSES.entries()) {
    for (const file of readdirSync(join(root, fashionMnistFolderName(name)))) {
      const index = Number(file.replace('.png', ''));
      assert.equal(labels.data[index], cls, `${name}/${file} has the label of its folder`);
      const path = join(root, fashionMnistFolderName(name), file);
      const meta = await sharp(path).metadata();
      assert.deepEqual([meta.width, meta.height, meta.channels], [w, h, 1], `${path} is a ${w}×${h} greyscale PNG`);
      // sharp outputs sRGB unless told otherwise; read the single grey channel back as is.
      const data = await sharp(path).toColourspace('b-w').raw().toBuffer();
      assert.deepEqual(new Uint8Array(data), images.data.subarray(index * h * w, (index + 1) * h * w));
      checked++;
    }
  }
  return checked;
}

test(`Debian's Fashion-MNIST: stratified seeded subset, or the clear not-installed error`, async () => {
  const out = join(tmp.dir, 'deb');
  if (!installed) {
    await assert.rejects(
      fashionMnistFolder(out, { perClass: 3, seed: 5, split: 'test' }),
      (err) => err instanceof LensError && err.message.includes(FASHION_MNIST_PACKAGE) && /not installed/.test(err.message),
    );
    assert.ok(!existsSync(out));
    return;
  }
  const ds = await fashionMnistFolder(out, { perClass: 3, seed: 5, split: 'test' });
  assert.equal(ds.count, 30);
  assert.deepEqual(ds.classNames, FASHION_MNIST_CLASSES.map(fashionMnistFolderName).sort());
  assert.ok(ds.classNames.includes('T-shirt_top') && ds.classNames.includes('Ankle boot'));
  for (const c of ds.classNames) assert.equal(readdirSync(join(ds.root, c)).length, 3, c);
  assert.equal(await assertMatchesSource(ds.root, 'test'), 30);

  const again = await fashionMnistFolder(join(tmp.dir, 'deb2'), { perClass: 3, seed: 5, split: 'test' });
  assert.deepEqual([...hashTree(again.root)], [...hashTree(ds.root)]);
  const other = await fashionMnistFolder(join(tmp.dir, 'deb3'), { perClass: 3, seed: 6, split: 'test' });
  const names = (root: string) => [...hashTree(root).keys()].filter((k) => k.endsWith('.png'));
  assert.notDeepEqual(names(other.root), names(ds.root), 'another seed picks other items');
});

test('Debian Fashion-MNIST train split resized to RGB', async () => {
  if (!installed) {
    await assert.rejects(locateFashionMnist('train'), (err) => err instanceof LensError && err.message.includes(FASHION_MNIST_PACKAGE));
    return;
  }
  const ds = await fashionMnistFolder(join(tmp.dir, 'train'), { perClass: 1, seed: 1, split: 'train', size: 32, rgb: true });
  assert.equal(ds.count, 10);
  const c = ds.classNames[0];
  const meta = await sharp(join(ds.root, c, readdirSync(join(ds.root, c))[0])).metadata();
  assert.deepEqual([meta.width, meta.height, meta.channels], [32, 32, 3]);
});

/** Writes a small Fashion-MNIST-shaped IDX pair: `perLabel` items of every label, pixels from the index. */
test('sourceDir: plain and gzipped IDX files give the same items', async () => {
  writeTinyIdx(join(tmp.dir, 'src-gz'), 't10k', 4, true);
  writeTinyIdx(join(tmp.dir, 'src-raw'), 't10k', 4, false);
  const a = await fashionMnistFolder(join(tmp.dir, 'out-gz'), { perClass: 2, seed: 9, split: 'test', sourceDir: join(tmp.dir, 'src-gz') });
  const b = await fashionMnistFolder(join(tmp.dir, 'out-raw'), {
    perClass: 2,
    seed: 9,
    split: 'test',
    sourceDir: join(tmp.dir, 'src-raw'),
  });
  assert.equal(a.count, 20);
  const strip = (m: Map<string, string>) => [...m].filter(([k]) => k.endsWith('.png'));
  assert.deepEqual(strip(hashTree(a.root)), strip(hashTree(b.root)));
  assert.equal(await assertMatchesSource(a.root, 'test', join(tmp.dir, 'src-gz')), 20);
});

test("classes: only the chosen labels are written (the demo's trained / held-out halves)", async () => {
  writeTinyIdx(join(tmp.dir, 'src-classes'), 't10k', 4, false);
  const held = [1, 6, 7, 8];
  const ds = await fashionMnistFolder(join(tmp.dir, 'out-classes'), {
    perClass: 3,
    seed: 4,
    split: 'test',
    sourceDir: join(tmp.dir, 'src-classes'),
    classes: held,
  });
  const names = held.map((c) => fashionMnistFolderName(FASHION_MNIST_CLASSES[c]));
  assert.deepEqual(ds.classNames, [...names].sort());
  assert.equal(ds.count, 12);
  assert.deepEqual(
    readdirSync(ds.root)
      .filter((n) => !n.startsWith('.'))
      .sort(),
    [...names].sort(),
  );
  const labels = await readIdx(join(tmp.dir, 'src-classes', 't10k-labels-idx1-ubyte'), { rank: 1 });
  for (const [i, c] of held.entries()) {
    for (const f of readdirSync(join(ds.root, names[i]))) assert.equal(labels.data[Number(f.replace('.png', ''))], c, `${names[i]}/${f}`);
  }
  await assert.rejects(
    fashionMnistFolder(join(tmp.dir, 'x'), {
      perClass: 1,
      seed: 1,
      split: 'test',
      sourceDir: join(tmp.dir, 'src-classes'),
      classes: [3, 3],
    }),
    (err) => err instanceof LensError && /two distinct labels/.test(err.message),
  );
});

test('sourceDir errors name the folder or file and what was expected', async () => {
  const empty = join(tmp.dir, 'empty');
  mkdirSync(empty);
  await assert.rejects(
    fashionMnistFolder(join(tmp.dir, 'x'), { perClass: 1, seed: 1, split: 'train', sourceDir: empty }),
    (err) => err instanceof LensError && err.message.startsWith(empty) && err.message.includes('train-images-idx3-ubyte'),
  );
  writeTinyIdx(join(tmp.dir, 'few'), 'train', 2, false);
  await assert.rejects(
    fashionMnistFolder(join(tmp.dir, 'x'), { perClass: 3, seed: 1, split: 'train', sourceDir: join(tmp.dir, 'few') }),
    (err) => err instanceof LensError && /only 2 items of class T-shirt\/top, fewer than perClass = 3/.test(err.message),
  );
  const broken = join(tmp.dir, 'broken');
  writeTinyIdx(broken, 'train', 2, false);
  writeFileSync(join(broken, 'train-images-idx3-ubyte'), Buffer.from([0, 0, 8, 3, 0, 0, 0, 20, 0, 0, 0, 28, 0, 0, 0, 28, 1, 2, 3]));
  await assert.rejects(
    fashionMnistFolder(join(tmp.dir, 'x'), { perClass: 1, seed: 1, split: 'train', sourceDir: broken }),
    (err) =>
      err instanceof LensError && err.message.includes(join(broken, 'train-images-idx3-ubyte')) && /expected 15680/.test(err.message),
  );
  await assert.rejects(
    fashionMnistFolder(join(tmp.dir, 'x'), { perClass: 1, seed: 1, split: 'validation' as 'train' }),
    (err) => err instanceof LensError && /'train' or 'test'/.test(err.message),
  );
  assert.ok(!existsSync(join(tmp.dir, 'x')));
});

test('an aborted Fashion-MNIST export leaves nothing behind', async () => {
  writeTinyIdx(join(tmp.dir, 'src-abort'), 'train', 6, true);
  const parent = join(tmp.dir, 'abort-parent');
  mkdirSync(parent);
  const ac = new AbortController();
  await assert.rejects(
    fashionMnistFolder(
      join(parent, 'ds'),
      { perClass: 6, seed: 2, split: 'train', sourceDir: join(tmp.dir, 'src-abort') },
      {
        signal: ac.signal,
        onProgress: (p) => p.done >= 4 && ac.abort(),
      },
    ),
    (err) => isCancelled(err),
  );
  assert.deepEqual(readdirSync(parent), []);
});
