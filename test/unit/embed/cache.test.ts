import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { datasetFingerprint, lookupCache, readCache, usableCacheDir, writeCache, type CachedRun } from '../../../src/core/embed/cache';
import { tmp } from './helpers/make';

function run(n = 3, dim = 2): CachedRun {
  return {
    embeddings: {
      vectors: Float32Array.from({ length: n * dim }, (_, i) => i / 7),
      n,
      dim,
      labels: Int32Array.from({ length: n }, (_, i) => i % 2),
      classNames: ['cat', 'dog'],
      paths: Array.from({ length: n }, (_, i) => `/data/${i}.png`),
    },
    backend: 'wasm',
    assumptions: ['a note'],
    skipped: { count: 0, first: [] },
  };
}

function flip(file: string, at: number, mask = 0x40): void {
  const b = readFileSync(file);
  b[at < 0 ? b.length + at : at] ^= mask;
  writeFileSync(file, b);
}

test('cache entries round-trip and every file is checksummed: a flipped byte is a reported, removed miss', async () => {
  for (const [file, at, why] of [
    ['vectors.f32', 5, /vectors\.f32 does not match its checksum/],
    ['labels.i32', 0, /labels\.i32 does not match its checksum/],
    ['meta.json', 20, /meta\.json does not match its checksum|cannot be read/],
  ] as const) {
    const dir = tmp('lens-cache-');
    await writeCache(dir, 'k1', run());
    const back = await readCache(dir, 'k1');
    assert.deepEqual(Array.from(back!.embeddings.vectors), Array.from(run().embeddings.vectors));
    assert.deepEqual(back!.embeddings.classNames, ['cat', 'dog']);
    flip(join(dir, 'embeddings', 'k1', file), at, 0x01);
    const hit = await lookupCache(dir, 'k1');
    assert.equal(hit.run, undefined, `${file}: the damaged entry must not be used`);
    assert.match(hit.damaged ?? '', why);
    assert.match(hit.damaged ?? '', /dropped and recomputed/);
    assert.equal(existsSync(join(dir, 'embeddings', 'k1')), false, 'the damaged entry is removed');
    // An absent entry is a plain miss, with nothing to report.
    assert.deepEqual(await lookupCache(dir, 'k1'), {});
  }
});

test('usableCacheDir: creates a new folder; a file, a path below a file or a read-only folder means no cache, said once', async () => {
  const base = tmp('lens-cachedir-');
  assert.deepEqual(await usableCacheDir(join(base, 'a', 'b')), { dir: join(base, 'a', 'b') });
  assert.deepEqual(readdirSync(join(base, 'a', 'b')), [], 'the probe file is removed');
  writeFileSync(join(base, 'file'), 'x');
  const asFile = await usableCacheDir(join(base, 'file'));
  assert.equal(asFile.dir, undefined);
  assert.match(asFile.note!, /cache off for this run: .*file cannot hold the cache \(it is not a folder, EEXIST\)/);
  assert.match((await usableCacheDir(join(base, 'file', 'sub'))).note!, /ENOTDIR/);
  // Root ignores permissions; the read-only check needs an ordinary user.
  if (process.getuid?.() !== 0) {
    chmodSync(base, 0o555);
    try {
      assert.match((await usableCacheDir(base)).note!, /it is not writable, EACCES/);
    } finally {
      chmodSync(base, 0o755);
    }
  }
});

test('datasetFingerprint follows content (not mtime), and a FIFO among the items is not read', async () => {
  const dir = tmp('lens-fp-');
  writeFileSync(join(dir, 'a.png'), 'AAAA');
  writeFileSync(join(dir, 'b.png'), 'BBBB');
  const items = [
    { path: join(dir, 'a.png'), label: 0 },
    { path: join(dir, 'b.png'), label: 1 },
  ];
  const before = await datasetFingerprint(items);
  assert.equal(await datasetFingerprint(items), before);
  writeFileSync(join(dir, 'a.png'), 'AAAB');
  assert.notEqual(await datasetFingerprint(items), before, 'same size, other bytes: another fingerprint');
  assert.equal(spawnSync('mkfifo', [join(dir, 'pipe.png')]).status, 0);
  // Would block for ever if the FIFO were opened for a blocking read.
  const withFifo = await datasetFingerprint([...items, { path: join(dir, 'pipe.png'), label: 1 }]);
  assert.equal(typeof withFifo, 'string');
});
