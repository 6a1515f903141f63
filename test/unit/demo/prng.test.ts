import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mixSeed, mulberry32, Rng } from '../../../src/demo/prng';

test('mulberry32 is reproducible, seed-dependent and uniform in [0, 1)', () => {
  const a = mulberry32(42);
  const b = mulberry32(42);
  const c = mulberry32(43);
  const xs = Array.from({ length: 10000 }, () => a());
  assert.deepEqual(
    Array.from({ length: 10000 }, () => b()),
    xs,
  );
  assert.notEqual(c(), xs[0]);
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  assert.ok(Math.abs(mean - 0.5) < 0.02, `mean ${mean}`);
});

test('mixSeed separates nearby (seed, class, item) triples', () => {
  const seeds = new Set<number>();
  for (let s = 0; s < 4; s++) for (let c = 0; c < 12; c++) for (let i = 0; i < 50; i++) seeds.add(mixSeed(s, c, i));
  assert.equal(seeds.size, 4 * 12 * 50);
  assert.notEqual(mixSeed(1, 2), mixSeed(2, 1));
});

test('Rng helpers stay in range; sample returns k distinct items in source order', () => {
  const r = new Rng(5);
  for (let i = 0; i < 1000; i++) {
    const v = r.int(3, 7);
    assert.ok(Number.isInteger(v) && v >= 3 && v <= 7);
  }
  const items = Array.from({ length: 100 }, (_, i) => i * 2);
  const s = r.sample(items, 10);
  assert.equal(new Set(s).size, 10);
  assert.deepEqual(
    s,
    s.slice().sort((x, y) => x - y),
  );
  assert.ok(s.every((x) => items.includes(x)));
  assert.deepEqual(
    r.shuffle(items).sort((x, y) => x - y),
    items,
  );
  const ns = Array.from({ length: 20000 }, () => r.normal());
  const m = ns.reduce((a, b) => a + b, 0) / ns.length;
  const sd = Math.sqrt(ns.reduce((a, b) => a + (b - m) ** 2, 0) / ns.length);
  assert.ok(Math.abs(m) < 0.05 && Math.abs(sd - 1) < 0.05, `${m} ${sd}`);
});
