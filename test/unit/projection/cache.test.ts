import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cachedLayout, getCachedLayout, layoutKey, putCachedLayout } from '../../../src/core/projection/layoutCache';
import { CancelledError } from '../../../src/core/errors';

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

test('cachedLayout computes once, and a cancelled computation writes nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'el-layout-'));
  try {
    let calls = 0;
    const compute = async (): Promise<Float32Array> => {
      calls++;
      return Float32Array.from([0, 1]);
    };
    assert.equal((await cachedLayout(dir, 'k', { seed: 1 }, compute)).cached, false);
    const again = await cachedLayout(dir, 'k', { seed: 1 }, compute);
    assert.equal(again.cached, true);
    assert.deepEqual(again.xy, Float32Array.from([0, 1]));
    assert.equal(calls, 1);
    await assert.rejects(cachedLayout(dir, 'k', { seed: 2 }, async () => { throw new CancelledError(); }), CancelledError);
    assert.equal(readdirSync(dir).length, 1);
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
    const r = await cachedLayout(dir, 'emb', { seed: 1 }, async () => Float32Array.from([9, 9, 9, 9]));
    assert.equal(r.cached, false);
    assert.deepEqual(Array.from(r.xy), [9, 9, 9, 9]);
    assert.match(r.note!, /layout cache entry .* was damaged \(the layout does not match its checksum\); dropped and recomputed/);
    assert.deepEqual(await getCachedLayout(dir, 'emb', { seed: 1 }), Float32Array.from([9, 9, 9, 9]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
