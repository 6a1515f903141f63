import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { IDX_MAX_ITEMS, readIdx, readIdxHeader } from '../../../src/core/dataset/idx';
import { idxBytes, tmp, writeIdxPair } from '../embed/helpers/make';

// IDX headers are claims: they are checked against limits (and the partner's count) before a byte
// is inflated, and a .gz is inflated to at most what its header promises. Real gzip files, no mocks.

/** header + `zerosMB` MB of zeros as concatenated gzip members (one 16 MB member of zeros is ~16 KB). */
function bomb(dims: number[], zerosMB: number): Buffer {
  const block = gzipSync(Buffer.alloc(16 * 2 ** 20), { level: 9 });
  return Buffer.concat([gzipSync(idxBytes(dims, new Uint8Array(0))), ...Array(Math.ceil(zerosMB / 16)).fill(block)]);
}

test('readIdx: a header claiming 3·10⁹ labels fails at the header, fast, whatever follows', async () => {
  const dir = tmp();
  const f = join(dir, 'train-labels-idx1-ubyte.gz');
  writeFileSync(f, bomb([3_000_000_000], 512));
  const t0 = Date.now();
  await assert.rejects(readIdx(f), new RegExp(`has a header claiming 3000000000 items; at most ${IDX_MAX_ITEMS}`));
  assert.ok(Date.now() - t0 < 2000, `took ${Date.now() - t0} ms`);
});

test('readIdx: a .gz that unpacks to more than its header promises stops at the promise', async () => {
  const dir = tmp();
  const f = join(dir, 'train-labels-idx1-ubyte.gz');
  writeFileSync(f, bomb([10], 256));
  const before = process.memoryUsage().rss;
  await assert.rejects(readIdx(f), /unpacks to more than the 18 bytes its header \(10\) promises/);
  assert.ok(process.memoryUsage().rss - before < 128 * 2 ** 20, 'the 256 MB of zeros must not be inflated whole');
});

test('readIdx: the partner count, the rank and the image sides are checked at the header', async () => {
  const dir = tmp();
  const { images, labels } = writeIdxPair(dir, 'train', [0, 1, 0, 1], 8, 8, true);
  assert.deepEqual((await readIdx(labels, { rank: 1, count: 4, partner: 'imgs' })).dims, [4]);
  await assert.rejects(
    readIdx(labels, { rank: 1, count: 5, partner: 'imgs' }),
    /holds 4 labels but imgs holds 5 images; expected one label per image/,
  );
  await assert.rejects(readIdxHeader(images, { rank: 1 }), /has IDX rank 3; expected 1 \(labels\)/);
  const huge = join(dir, 'huge-images-idx3-ubyte');
  writeFileSync(huge, idxBytes([2, 100000, 8], new Uint8Array(16)));
  await assert.rejects(readIdxHeader(huge), /has images of 100000×8 pixels; expected each side between 1 and 4096/);
  // Uncompressed: only the promised bytes are read; fewer is "truncated".
  const short = join(dir, 'short-labels-idx1-ubyte');
  writeFileSync(short, idxBytes([10], new Uint8Array(4)));
  await assert.rejects(readIdx(short), /is truncated: 4 data bytes, expected 10 \(10\) as its header promises/);
});

test('readIdx: a FIFO is refused at once instead of blocking', async () => {
  const dir = tmp();
  const f = join(dir, 'train-labels-idx1-ubyte.gz');
  assert.equal(spawnSync('mkfifo', [f]).status, 0);
  await assert.rejects(readIdx(f), /is a FIFO \(named pipe\); expected an IDX file/);
});

test('readIdx: gzip is recognised by its magic bytes, not the file name', async () => {
  const dir = tmp();
  const body = idxBytes([3], Uint8Array.from([2, 0, 1]));
  const packedNoSuffix = join(dir, 'train-labels-idx1-ubyte');
  writeFileSync(packedNoSuffix, gzipSync(body));
  assert.deepEqual(Array.from((await readIdx(packedNoSuffix, { rank: 1 })).data), [2, 0, 1]);
  const plainWithSuffix = join(dir, 't10k-labels-idx1-ubyte.gz');
  writeFileSync(plainWithSuffix, body);
  assert.deepEqual((await readIdxHeader(plainWithSuffix)).dims, [3]);
  assert.deepEqual(Array.from((await readIdx(plainWithSuffix)).data), [2, 0, 1]);
});
