import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lookupCachedResult, writeCachedResult } from '../../../src/core/inspect/resultCache';
import type { InspectionData } from '../../../src/protocol';
import { tmp } from '../embed/helpers/make';

const data = {
  title: 't',
  source: { checkpoint: 'c', dataset: 'd' },
  distance: 'cosine',
  timings: [],
  metrics: {
    protocol: 'leave-one-out',
    queries: 4,
    excludedQueries: 0,
    recallAtK: [{ k: 1, value: 0.75 }],
    precisionAt1: 0.75,
    rPrecision: 0.5,
    mapAtR: 0.5,
    mrr: 0.8,
  },
  classes: [],
  neighbours: { k: 1, indices: Int32Array.from([1, 0, 3, 2]), distances: Float32Array.from([0.1, 0.1, 0.2, 0.2]) },
  eet: { settings: {}, terms: {} },
  layout: { pca: Float32Array.from([0, 0, 1, 1, 2, 2, 3, 3]), umap: Float32Array.from([0, 1, 1, 0, 2, 3, 3, 2]) },
} as unknown as InspectionData;

test('a cached inspection round-trips; one changed digit (same size) is caught, reported and removed', async () => {
  const dir = tmp('lens-result-');
  await writeCachedResult(dir, 'key', data);
  const ok = await lookupCachedResult(dir, 'key');
  assert.equal(ok.damaged, undefined);
  assert.equal(ok.patch?.metrics?.recallAtK[0].value, 0.75);
  const file = join(dir, 'inspections', readdirSync(join(dir, 'inspections'))[0]);
  writeFileSync(file, readFileSync(file, 'utf8').replace('0.75', '0.95'));
  const bad = await lookupCachedResult(dir, 'key');
  assert.equal(bad.patch, undefined);
  assert.match(bad.damaged!, /inspection cache entry .* was damaged \(it does not match its checksum\); dropped and recomputed/);
  assert.equal(existsSync(file), false);
});
