import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadMetricsFixtures, close, flatten } from '../helpers/fixtures';
import { looMapAtR } from '../../../src/core/train/validation';

test('the fine-tune validation metrics match the golden leave-one-out fixtures', () => {
  const cases = loadMetricsFixtures().filter((f) => f.protocol === 'leave-one-out');
  assert.ok(cases.length >= 2);
  for (const f of cases) {
    const m = looMapAtR(flatten(f.embeddings), f.embeddings.length, f.embeddings[0].length, Int32Array.from(f.labels), f.normalize);
    assert.ok(close(m.mapAtR, f.expected['map@r'], 1e-5), `${f.name} map@r ${m.mapAtR} vs ${f.expected['map@r']}`);
    assert.ok(close(m.recallAt1, f.expected['recall@1'], 1e-5), `${f.name} recall@1 ${m.recallAt1} vs ${f.expected['recall@1']}`);
    // The fixture counts every query and the excluded ones apart; ours counts the scored ones.
    assert.equal(m.queries, f.expected.queries - f.expected.excluded_queries, `${f.name} queries`);
  }
});
