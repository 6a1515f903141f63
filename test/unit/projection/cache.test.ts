import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  getCachedLayout,
  layoutKey,
  putCachedLayout,
  putPartialLayout,
  readLayoutEntry,
  readPartialLayout,
} from '../../../src/core/projection/layoutCache';

test('layouts round-trip keyed by embeddings key + parameters (order-insensitive)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'el-layout-'));
  try {
    const xy = Float32Array.from([1, 2, 3, 4, 5.5, -6]);
    await putCachedLayout(dir, 'emb-abc', { method: 'umap', seed: 1, minDist: 0.1 }, xy);
    assert.deepEqual(await getCachedLayout(dir, 'emb-abc', { minDist: 0.1, seed: 1, method: 'umap' }), xy);
    assert.equal(await getCachedLayout(dir, 'emb-abc', { method: 'umap', seed: 2, minDist: 0.1 }), undefined);
    assert.equal(await getCachedLayout(dir, 'emb-other', { method: 'umap', seed: 1, minDist: 0.1 }), undefined);
    assert.notEqual(layoutKey('a', { x: 1 }), layoutKey('a', { x: '1' }));
    // No temp files are left behind.
    assert.ok(readdirSync(dir).every((f) => !f.endsWith('.tmp')));
    // A corrupt entry is a miss, not an error.
    for (const f of readdirSync(dir)) writeFileSync(join(dir, f), 'garbage');
    assert.equal(await getCachedLayout(dir, 'emb-abc', { method: 'umap', seed: 1, minDist: 0.1 }), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a layout entry damaged in place (same size) is caught by its checksum, removed and reported', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'el-layout-'));
  try {
    const xy = Float32Array.from([1, 2, 3, 4]);
    await putCachedLayout(dir, 'emb', { seed: 1 }, xy);
    const [file] = readdirSync(dir);
    const b = readFileSync(join(dir, file));
    b[b.length - 2] ^= 0x10;
    writeFileSync(join(dir, file), b);
    const r = await readLayoutEntry(dir, 'emb', { seed: 1 });
    assert.equal(r.xy, undefined);
    assert.match(r.damaged!, /layout cache entry .* was damaged \(the layout does not match its checksum\); dropped and recomputed/);
    assert.deepEqual(readdirSync(dir), [], 'the damaged entry is removed');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a stopped run's layout is kept apart with its epochs (checksummed), and the finished layout removes it", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'el-layout-'));
  try {
    const xy = Float32Array.from([1, 2, 3, 4]);
    await putPartialLayout(dir, 'emb', { seed: 1 }, xy, 85);
    assert.deepEqual(await readPartialLayout(dir, 'emb', { seed: 1 }), { xy, epoch: 85 });
    assert.equal(await getCachedLayout(dir, 'emb', { seed: 1 }), undefined, 'a partial layout is never taken for a finished one');
    assert.equal(await readPartialLayout(dir, 'emb', { seed: 2 }), undefined);
    // The epoch count is inside the checksum: an edited header is damage, and the entry goes.
    const [file] = readdirSync(dir);
    writeFileSync(join(dir, file), readFileSync(join(dir, file), 'latin1').replace('"epoch":85', '"epoch":95'), 'latin1');
    assert.equal(await readPartialLayout(dir, 'emb', { seed: 1 }), undefined);
    assert.deepEqual(readdirSync(dir), []);
    await putPartialLayout(dir, 'emb', { seed: 1 }, xy, 85);
    await putCachedLayout(dir, 'emb', { seed: 1 }, Float32Array.from([5, 6, 7, 8]));
    assert.equal(await readPartialLayout(dir, 'emb', { seed: 1 }), undefined);
    assert.equal(readdirSync(dir).length, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
