import { test } from 'node:test';
import assert from 'node:assert/strict';
import { procrustes } from '../../../src/core/projection/procrustes';
import { LensError } from '../../../src/core/errors';

function transform(a: Float32Array, scale: number, theta: number, reflect: boolean, tx: number, ty: number): Float32Array {
  const c = Math.cos(theta),
    s = Math.sin(theta);
  const r = reflect ? [c, s, s, -c] : [c, -s, s, c];
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length / 2; i++) {
    const x = a[2 * i],
      y = a[2 * i + 1];
    out[2 * i] = scale * (x * r[0] + y * r[2]) + tx;
    out[2 * i + 1] = scale * (x * r[1] + y * r[3]) + ty;
  }
  return out;
}

const a = Float32Array.from({ length: 80 }, (_, i) => Math.sin(i * 1.7) * 5 + (i % 2) * Math.cos(i));

test('recovers rotation, reflection, scale and translation exactly', () => {
  for (const reflect of [false, true]) {
    const b = transform(a, 2.5, 0.8, reflect, 3, -7);
    const r = procrustes(a, b);
    assert.ok(Math.abs(r.scale - 2.5) < 1e-5, `scale ${r.scale}`);
    assert.ok(r.rmsd < 1e-4, `rmsd ${r.rmsd}`);
    const det = r.rotation[0] * r.rotation[3] - r.rotation[1] * r.rotation[2];
    assert.ok(Math.abs(det - (reflect ? -1 : 1)) < 1e-9);
    for (let i = 0; i < a.length; i++) assert.ok(Math.abs(r.aligned[i] - b[i]) < 1e-4);
  }
});

test('aligns over shared items only and maps every item of a', () => {
  const b = transform(a, 0.5, -2, false, 1, 1);
  // b keeps items 10..39 of a, in reverse order; the rest of b is noise.
  const bPart = new Float32Array(50 * 2).fill(99);
  const aIndex = Int32Array.from({ length: 30 }, (_, i) => 10 + i);
  const bIndex = Int32Array.from({ length: 30 }, (_, i) => 49 - i);
  aIndex.forEach((ai, s) => bPart.set(b.subarray(2 * ai, 2 * ai + 2), 2 * bIndex[s]));
  const r = procrustes(a, bPart, { aIndex, bIndex });
  assert.equal(r.aligned.length, a.length);
  assert.ok(r.rmsd < 1e-4);
  for (let i = 0; i < a.length; i++)
    assert.ok(Math.abs(r.aligned[i] - b[i]) < 1e-4, 'items outside the shared set follow the same transform');
});

test('rmsd reports the residual of a noisy match, bad input is a LensError', () => {
  const b = transform(a, 1, 0.3, false, 0, 0).map((v, i) => v + (i % 3 === 0 ? 0.1 : -0.05));
  const r = procrustes(a, b);
  assert.ok(r.rmsd > 0.01 && r.rmsd < 0.2);
  assert.throws(() => procrustes(a, a.subarray(0, 10)), LensError);
  assert.throws(() => procrustes(a, a, { aIndex: Int32Array.from([0, 1]), bIndex: Int32Array.from([0]) }), LensError);
  assert.throws(() => procrustes(a, a, { aIndex: Int32Array.from([0, 100]), bIndex: Int32Array.from([0, 1]) }), /out of range/);
  assert.throws(() => procrustes(a, a, { aIndex: new Int32Array(0), bIndex: new Int32Array(0) }), /share no items/);
  // All shared points equal: only a translation is defined.
  const flat = new Float32Array(8).fill(2);
  const t = procrustes(flat, new Float32Array([5, 5, 5, 5, 5, 5, 5, 5]));
  assert.equal(t.scale, 1);
  assert.ok(Array.from(t.aligned).every((v) => Math.abs(v - 5) < 1e-6));
});
