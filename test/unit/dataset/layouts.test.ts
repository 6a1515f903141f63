import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDataset, detectDatasetKind } from '../../../src/core/dataset';
import { parseDelimited } from '../../../src/core/dataset/manifest';
import { LensError } from '../../../src/core/errors';
import { writeNpy } from '../../../src/core/io/npy';
import { makeImageFolder, tmp, writeIdxPair, writeImage } from '../embed/helpers/make';

test('ImageFolder: class = subfolder, images at any depth, every listed extension, hidden and loose files ignored', async () => {
  const root = tmp();
  await makeImageFolder(root, { cat: 4, dog: 3 });
  for (const ext of ['jpg', 'jpeg', 'webp', 'gif', 'tif', 'tiff']) await writeImage(join(root, 'cat', 'x', 'y', `deep.${ext}`), 4, 4, 1);
  writeFileSync(join(root, 'cat', 'img.bmp'), 'bmp');
  writeFileSync(join(root, 'dog', 'notes.txt'), 'not an image');
  writeFileSync(join(root, 'dog', '.hidden.png'), 'x');
  await writeImage(join(root, 'loose.png'), 4, 4, 2);
  mkdirSync(join(root, 'empty'));
  symlinkSync(join(root, 'dog'), join(root, 'dog', 'loop'));
  const ds = await loadDataset(root);
  assert.equal(ds.kind, 'folder');
  assert.deepEqual(ds.classNames, ['cat', 'dog']);
  assert.equal(ds.items.filter((i) => i.label === 0).length, 4 + 6 + 1);
  assert.equal(ds.items.filter((i) => i.label === 1).length, 3);
  assert.ok(ds.items.some((i) => i.path.endsWith(join('cat', 'deeper', 'img2.png'))));
  assert.ok(ds.items.some((i) => i.path.endsWith('deep.tiff')));
  assert.ok(!ds.items.some((i) => i.path.includes('.hidden') || i.path.endsWith('.txt') || i.path.endsWith('loose.png')));
  assert.ok(ds.notes.some((n) => n.includes('1 image(s) directly in')));
});

test('manifests: .csv (quoted fields, split), .tsv and .jsonl, paths relative to the manifest', async () => {
  const dir = tmp();
  assert.deepEqual(parseDelimited('a,"b, c","say ""hi"""\r\n1,2,3\n', ','), [
    ['a', 'b, c', 'say "hi"'],
    ['1', '2', '3'],
  ]);
  writeFileSync(join(dir, 'm.csv'), 'Path,Label,split\n"img/a, 1.png",shoe,train\nimg/b.png,bag,test\n/abs/c.png,shoe,test\n');
  const csv = await loadDataset(join(dir, 'm.csv'));
  assert.equal(csv.kind, 'manifest');
  assert.deepEqual(csv.classNames, ['bag', 'shoe']);
  assert.deepEqual(
    csv.items.map((i) => [i.path, i.label, i.split]),
    [
      [join(dir, 'img/a, 1.png'), 1, 'train'],
      [join(dir, 'img/b.png'), 0, 'test'],
      ['/abs/c.png', 1, 'test'],
    ],
  );
  const test_ = await loadDataset(join(dir, 'm.csv'), { split: 'test' });
  assert.equal(test_.items.length, 2);
  await assert.rejects(loadDataset(join(dir, 'm.csv'), { split: 'val' }), /no items in split "val"; its splits are: train, test/);
  writeFileSync(join(dir, 'm.tsv'), 'file\tclass\na.png\t10\nb.png\t9\n');
  const tsv = await loadDataset(join(dir, 'm.tsv'));
  assert.deepEqual(tsv.classNames, ['9', '10'], 'numeric labels sort numerically');
  writeFileSync(join(dir, 'm.jsonl'), '{"path":"a.png","label":3}\n\n{"path":"b.png","label":4,"split":"query"}\n');
  const jl = await loadDataset(join(dir, 'm.jsonl'));
  assert.deepEqual(
    jl.items.map((i) => i.split),
    [undefined, 'query'],
  );
  writeFileSync(join(dir, 'bad.csv'), 'name,kind\na,b\n');
  await assert.rejects(
    loadDataset(join(dir, 'bad.csv')),
    (e: Error) => e instanceof LensError && /lacks a path column/.test(e.message) && e.message.includes('bad.csv'),
  );
  writeFileSync(join(dir, 'bad.jsonl'), '{"path":"a.png","label":1}\n{oops\n');
  await assert.rejects(loadDataset(join(dir, 'bad.jsonl')), /line 2 is not valid JSON/);
});

test('IDX: a folder with train + t10k pairs (.gz and plain), splits kept, Fashion-MNIST names when the path says so', async () => {
  const dir = join(tmp(), 'fashion-mnist');
  writeIdxPair(dir, 'train', [0, 1, 2, 1], 8, 8, true);
  writeIdxPair(dir, 't10k', [2, 0], 8, 8, false);
  assert.equal(await detectDatasetKind(dir), 'idx');
  const ds = await loadDataset(dir);
  assert.equal(ds.kind, 'idx');
  assert.equal(ds.items.length, 6);
  assert.deepEqual(
    ds.items.map((i) => i.split),
    ['test', 'test', 'train', 'train', 'train', 'train'],
  );
  assert.deepEqual(ds.items[0].idx, { file: join(dir, 't10k-images-idx3-ubyte'), index: 0 });
  assert.equal(ds.items[2].path, `${join(dir, 'train-images-idx3-ubyte.gz')}#0`);
  assert.equal(ds.classNames[0], 'T-shirt/top');
  const one = await loadDataset(join(dir, 'train-labels-idx1-ubyte.gz'));
  assert.equal(one.items.length, 4);
  const plain = tmp();
  const p = writeIdxPair(plain, 'x', [0, 1, 5]);
  assert.deepEqual((await loadDataset(p.images)).classNames, ['0', '1', '2', '3', '4', '5']);
});

test('IDX: mismatched counts and a bad magic number are clear errors', async () => {
  const dir = tmp();
  const p = writeIdxPair(dir, 'train', [0, 1, 1]);
  writeIdxPair(join(dir, 'other'), 'train', [0, 1]);
  const { copyFileSync } = await import('node:fs');
  copyFileSync(join(dir, 'other', 'train-labels-idx1-ubyte'), p.labels);
  await assert.rejects(
    loadDataset(p.images),
    (e: Error) => e instanceof LensError && /holds 2 labels but train-images-idx3-ubyte holds 3 images/.test(e.message),
  );
  writeFileSync(p.images, Buffer.from('PNG....garbage'));
  await assert.rejects(loadDataset(p.images), /not an IDX file/);
});

test('Stanford Online Products list files: class_id labels, train/test split from the file name', async () => {
  const dir = tmp();
  writeFileSync(
    join(dir, 'Ebay_train.txt'),
    'image_id class_id super_class_id path\n1 1 1 bicycle_final/a.JPG\n2 1 1 bicycle_final/b.JPG\n3 2 1 bicycle_final/c.JPG\n',
  );
  writeFileSync(
    join(dir, 'Ebay_test.txt'),
    'image_id class_id super_class_id path\n4 11319 2 chair_final/d.JPG\n5 11320 2 chair_final/e.JPG\n',
  );
  writeFileSync(join(dir, 'Ebay_info.txt'), 'image_id class_id super_class_id path\n');
  const ds = await loadDataset(dir);
  assert.equal(ds.kind, 'sop');
  assert.deepEqual(
    ds.items.map((i) => i.split),
    ['test', 'test', 'train', 'train', 'train'],
  );
  assert.deepEqual(ds.classNames, ['1', '2', '11319', '11320']);
  assert.equal(ds.items[0].path, join(dir, 'chair_final/d.JPG'));
  const onlyTest = await loadDataset(join(dir, 'Ebay_test.txt'));
  assert.equal(onlyTest.items.length, 2);
  writeFileSync(join(dir, 'Ebay_test.txt'), 'id path\n1 a.jpg\n');
  await assert.rejects(loadDataset(join(dir, 'Ebay_test.txt')), /not the SOP header/);
});

test('In-Shop list_eval_partition.txt: item_id labels, query/gallery/train split kept, Eval/ + Img/ layout resolved', async () => {
  const root = tmp();
  mkdirSync(join(root, 'Eval'));
  await writeImage(join(root, 'Img', 'img', 'WOMEN', 'Dresses', 'id_00000002', '02_1_front.jpg'), 4, 4, 1);
  writeFileSync(
    join(root, 'Eval', 'list_eval_partition.txt'),
    '4\nimage_name item_id evaluation_status\nimg/WOMEN/Dresses/id_00000002/02_1_front.jpg id_00000002 query\nimg/WOMEN/Dresses/id_00000002/02_2_side.jpg id_00000002 gallery\nimg/MEN/Pants/id_00000007/01_1_front.jpg id_00000007 train\nimg/MEN/Pants/id_00000008/01_1_front.jpg id_00000008 gallery\n',
  );
  const ds = await loadDataset(root);
  assert.equal(ds.kind, 'inshop');
  assert.deepEqual(
    ds.items.map((i) => i.split),
    ['query', 'gallery', 'train', 'gallery'],
  );
  assert.equal(ds.items[0].path, join(root, 'Img', 'img/WOMEN/Dresses/id_00000002/02_1_front.jpg'));
  assert.deepEqual(ds.classNames, ['id_00000002', 'id_00000007', 'id_00000008']);
  const q = await loadDataset(join(root, 'Eval', 'list_eval_partition.txt'), { split: 'gallery' });
  assert.equal(q.items.length, 2);
});

test('a labels file stands in for a dataset (.npy ints, .json, one label per line)', async () => {
  const dir = tmp();
  writeFileSync(join(dir, 'labels.txt'), 'cat\ndog\ncat\n');
  const ds = await loadDataset(join(dir, 'labels.txt'));
  assert.equal(ds.kind, 'labels');
  assert.deepEqual(
    Array.from(ds.items, (i) => i.label),
    [0, 1, 0],
  );
  assert.equal(ds.items[2].path, `${join(dir, 'labels.txt')}#2`);
  writeFileSync(join(dir, 'labels.json'), '[3, 1, 3, 1]');
  assert.deepEqual((await loadDataset(join(dir, 'labels.json'))).classNames, ['1', '3']);
  await writeNpy(join(dir, 'labels.npy'), Int32Array.from([2, 0, 2]), [3]);
  const npy = await loadDataset(join(dir, 'labels.npy'));
  assert.deepEqual(
    [npy.classNames, Array.from(npy.items, (i) => i.label)],
    [
      ['0', '2'],
      [1, 0, 1],
    ],
  );
});

test('an empty dataset and a single class are errors naming the path', async () => {
  const empty = tmp();
  mkdirSync(join(empty, 'a'));
  await assert.rejects(
    loadDataset(empty),
    (e: Error) => e instanceof LensError && e.message.startsWith(empty) && /holds no images in class subfolders/.test(e.message),
  );
  const one = tmp();
  await makeImageFolder(one, { only: 3 });
  await assert.rejects(
    loadDataset(one),
    (e: Error) => e instanceof LensError && /a single class \("only"\); expected at least two classes/.test(e.message),
  );
  await assert.rejects(loadDataset(join(one, 'missing')), /does not exist/);
  writeFileSync(join(one, 'x.xyz'), '');
  await assert.rejects(loadDataset(join(one, 'x.xyz')), /is not a dataset/);
});
