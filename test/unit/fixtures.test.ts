import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadEetFixtures, loadMetricsFixtures, close } from './helpers/fixtures';

test('EET fixtures load with every expected key', () => {
  const fx = loadEetFixtures();
  assert.ok(fx.length >= 5);
  for (const f of fx) {
    assert.equal(f.embeddings.length, f.labels.length, f.name);
    for (const k of ['mc', 'ec', 'm', 'e', 'edc', 'total', 'anchors', 'classes'])
      assert.equal(typeof (f.expected as unknown as Record<string, unknown>)[k], 'number', `${f.name}.${k}`);
    assert.equal(f.expected.grad.length, f.embeddings.length, f.name);
  }
});

test('metrics fixtures load with every expected key', () => {
  const fx = loadMetricsFixtures();
  assert.ok(fx.length >= 3);
  for (const f of fx) {
    assert.equal(f.embeddings.length, f.labels.length, f.name);
    for (const k of [
      'queries',
      'excluded_queries',
      'recall@1',
      'recall@2',
      'recall@4',
      'recall@8',
      'precision@1',
      'r_precision',
      'map@r',
      'mrr',
    ]) {
      assert.equal(typeof f.expected[k], 'number', `${f.name}.${k}`);
    }
    if (f.protocol === 'query-gallery') assert.equal(f.query_mask?.length, f.labels.length);
  }
});

test('close() uses the looser of absolute and relative tolerance', () => {
  assert.ok(close(1000.001, 1000, 1e-5));
  assert.ok(close(1e-7, 0, 1e-5));
  assert.ok(!close(1.1, 1, 1e-5));
});
