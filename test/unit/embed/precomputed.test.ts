import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { computeEmbeddings } from '../../../src/core/embed';
import { loadPrecomputed } from '../../../src/core/checkpoint';
import { writeNpy } from '../../../src/core/io/npy';
import { makeImageFolder, tmp } from './helpers/make';

const matrix = (n: number, d: number) => Float32Array.from({ length: n * d }, (_, i) => i / 10);

test('.npy embeddings take labels and paths from the dataset they were computed from (same order)', async () => {
  const dir = tmp();
  await makeImageFolder(join(dir, 'ds'), { a: 2, b: 3 });
  await writeNpy(join(dir, 'emb.npy'), matrix(5, 3), [5, 3]);
  const r = await computeEmbeddings(join(dir, 'emb.npy'), join(dir, 'ds'));
  assert.equal(r.backend, 'precomputed');
  assert.deepEqual([r.embeddings.n, r.embeddings.dim], [5, 3]);
  assert.deepEqual(Array.from(r.embeddings.labels), [0, 0, 1, 1, 1]);
  assert.ok(r.embeddings.paths[0].endsWith(join('ds', 'a', 'img0.png')));
  assert.deepEqual(Array.from(r.embeddings.vectors), Array.from(matrix(5, 3)));
  await writeNpy(join(dir, 'short.npy'), matrix(4, 3), [4, 3]);
  await assert.rejects(computeEmbeddings(join(dir, 'short.npy'), join(dir, 'ds')), /has 4 embeddings but the dataset .* has 5 items/);
  await assert.rejects(computeEmbeddings(join(dir, 'short.npy'), undefined), /without labels; choose the dataset/);
});

test('.npy + a labels file; the stratified subsample keeps rows and labels together', async () => {
  const dir = tmp();
  await writeNpy(join(dir, 'emb.npy'), matrix(6, 2), [6, 2]);
  writeFileSync(join(dir, 'labels.txt'), 'x\ny\nx\ny\nx\ny\n');
  const r = await computeEmbeddings(join(dir, 'emb.npy'), join(dir, 'labels.txt'), { dataset: { maxPerClass: 2, seed: 1 } });
  assert.equal(r.embeddings.n, 4);
  for (let k = 0; k < 4; k++) {
    const row = Number(r.embeddings.paths[k].split('#')[1]);
    assert.equal(r.embeddings.labels[k], row % 2);
    assert.deepEqual(Array.from(r.embeddings.vectors.subarray(k * 2, k * 2 + 2)), Array.from(matrix(6, 2).subarray(row * 2, row * 2 + 2)));
  }
  await writeNpy(join(dir, 'ints.npy'), Int32Array.from([1, 2]), [1, 2]);
  await assert.rejects(loadPrecomputed(join(dir, 'ints.npy')), /dtype i4; expected float32 or float64/);
  await writeNpy(join(dir, 'flat.npy'), matrix(3, 1), [3]);
  await assert.rejects(loadPrecomputed(join(dir, 'flat.npy')), /expected a 2-D N×D embeddings matrix/);
});

test('TensorBoard projector tensor.tsv + metadata.tsv (one column without header, several with)', async () => {
  const dir = tmp();
  writeFileSync(join(dir, 'tensor.tsv'), '0.1\t0.2\n0.3\t0.4\n0.5\t0.6\n');
  writeFileSync(join(dir, 'metadata.tsv'), 'shoe\nbag\nshoe\n');
  const r = await computeEmbeddings(join(dir, 'tensor.tsv'), undefined);
  assert.deepEqual([r.embeddings.n, r.embeddings.dim], [3, 2]);
  assert.deepEqual(r.embeddings.classNames, ['bag', 'shoe']);
  assert.deepEqual(Array.from(r.embeddings.labels), [1, 0, 1]);
  writeFileSync(join(dir, 'metadata.tsv'), 'id\tlabel\n1\tshoe\n2\tbag\n3\tbag\n');
  assert.deepEqual(Array.from((await computeEmbeddings(join(dir, 'tensor.tsv'), undefined)).embeddings.labels), [1, 0, 0]);
  writeFileSync(join(dir, 'metadata.tsv'), 'shoe\nbag\n');
  await assert.rejects(computeEmbeddings(join(dir, 'tensor.tsv'), undefined), /has 2 labels but the tensor file has 3 rows/);
  writeFileSync(join(dir, 'tensor.tsv'), '0.1\t0.2\n0.3\n');
  await assert.rejects(loadPrecomputed(join(dir, 'tensor.tsv')), /line 2 has 1 values; expected 2/);
  writeFileSync(join(dir, 'metadata.tsv'), 'a\na\n');
  writeFileSync(join(dir, 'tensor.tsv'), '1\t2\n3\t4\n');
  await assert.rejects(computeEmbeddings(join(dir, 'tensor.tsv'), undefined), /single class/);
});
