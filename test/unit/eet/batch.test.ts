import { test } from 'node:test';
import assert from 'node:assert/strict';
import { close, eetOptionsOf, flatten, loadEetFixtures } from '../helpers/fixtures';
import { eetLossGrad, eetTerms } from '../../../src/core/eet/batch';

const TERMS = ['mc', 'ec', 'm', 'e', 'edc', 'total'] as const;

test('the breakdown path (eetTerms) matches every golden fixture (values 1e-5)', () => {
  const fixtures = loadEetFixtures();
  assert.ok(fixtures.length >= 5);
  for (const fx of fixtures) {
    const r = eetTerms(flatten(fx.embeddings), fx.embeddings.length, fx.embeddings[0].length, fx.labels, eetOptionsOf(fx));
    for (const k of TERMS) assert.ok(close(r[k], fx.expected[k], 1e-5), `${fx.name}.${k} = ${r[k]}, expected ${fx.expected[k]}`);
    assert.equal(r.anchors, fx.expected.anchors, `${fx.name}.anchors`);
    assert.equal(r.classes, fx.expected.classes, `${fx.name}.classes`);
    // The per-anchor and per-class parts are what the terms are the means of.
    const mean = (xs: Float64Array) => xs.reduce((a, b) => a + b, 0) / xs.length;
    if (r.anchors) assert.ok(close(mean(r.mcTerm), r.mc, 1e-12) && close(mean(r.ecTerm), r.ec, 1e-12), `${fx.name}: anchor parts`);
    if (r.classes >= 2) assert.ok(close(mean(r.mPairs), r.m, 1e-12) && close(mean(r.eTerm), r.e, 1e-12), `${fx.name}: class parts`);
  }
});

test('the training path (eetLossGrad) matches every golden fixture (values 1e-5, gradients 1e-4) and the breakdown exactly', () => {
  for (const fx of loadEetFixtures()) {
    const n = fx.embeddings.length;
    const dim = fx.embeddings[0].length;
    const data = flatten(fx.embeddings);
    const r = eetLossGrad(data, n, dim, fx.labels, eetOptionsOf(fx));
    for (const k of TERMS) assert.ok(close(r[k], fx.expected[k], 1e-5), `${fx.name} ${k}: ${r[k]} vs ${fx.expected[k]}`);
    const g = flatten(fx.expected.grad);
    for (let i = 0; i < g.length; i++) assert.ok(close(r.grad[i], g[i], 1e-4), `${fx.name} grad[${i}]: ${r.grad[i]} vs ${g[i]}`);
    const t = eetTerms(data, n, dim, fx.labels, eetOptionsOf(fx));
    for (const k of TERMS) assert.equal(r[k], t[k], `${fx.name} ${k}: the two paths are one computation`);
  }
});

test('the breakdown path names the row of a non-finite value or an all-zero row', () => {
  assert.throws(() => eetTerms(Float32Array.from([1, 0, NaN, 1]), 2, 2, [0, 1]), /row 1 has a non-finite value \(NaN\) in column 0/);
  assert.throws(() => eetTerms(Float32Array.from([1, 0, 0, 0]), 2, 2, [0, 1]), /row 1 is an all-zero vector/);
  assert.throws(() => eetTerms(Float32Array.from([1, 0, 0, 1]), 2, 2, [0]), /1 labels for 2 embeddings/);
});
