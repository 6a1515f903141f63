import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bestEpoch, downsample, ema, epochStarts, formatDuration, lossSeries, validationSeries } from '../../../webview/training/series';
import type { EpochReport, StepReport } from '../../../src/trainingProtocol';

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test('ema: weight 0 is the identity, and the debiased average starts at the first value', () => {
  assert.deepEqual(ema([3, 1, 4], 0), [3, 1, 4]);
  const s = ema([2, 4, 4], 0.5);
  close(s[0], 2);
  // acc = 0.5·(0.5·2·… ) by hand: acc1 = 1, acc2 = 0.5 + 2 = 2.5, acc3 = 1.25 + 2 = 3.25; norm = 0.5, 0.75, 0.875
  close(s[1], 2.5 / 0.75);
  close(s[2], 3.25 / 0.875);
  const flat = ema(new Array(50).fill(0.7), 0.95);
  for (const v of flat) close(v, 0.7, 1e-12);
  assert.throws(() => ema([1], 1), RangeError);
});

test('ema: non-finite values are skipped, not averaged in', () => {
  const s = ema([NaN, 1, Infinity, 3], 0.5);
  assert.ok(Number.isNaN(s[0]));
  close(s[1], 1);
  close(s[2], 1);
  close(s[3], (0.5 * 0.5 + 0.5 * 3) / 0.75);
});

test('downsample keeps short series, caps long ones, keeps the ends and preserves the mean', () => {
  const pts = Array.from({ length: 10 }, (_, i) => ({ x: i + 1, y: i * i }));
  assert.deepEqual(downsample(pts, 10), pts);
  const long = Array.from({ length: 10_001 }, (_, i) => ({ x: i + 1, y: Math.sin(i / 100) }));
  const d = downsample(long, 500);
  assert.equal(d.length, 500);
  assert.deepEqual(d[0], long[0]);
  assert.deepEqual(d.at(-1), long.at(-1));
  for (let i = 1; i < d.length; i++) assert.ok(d[i].x > d[i - 1].x, 'x stays increasing');
  // Inner buckets are equal-sized means, so the inner y-sum is preserved up to bucket weights.
  const innerMean = long.slice(1, -1).reduce((a, p) => a + p.y, 0) / (long.length - 2);
  const dMean = d.slice(1, -1).reduce((a, p) => a + p.y, 0) / (d.length - 2);
  close(dMean, innerMean, 2e-3);
  assert.throws(() => downsample(long, 1), RangeError);
});

function step(epoch: number, s: number, n: number, loss: number): StepReport {
  return { epoch, step: s, stepsPerEpoch: n, loss, mc: loss / 2, ec: loss / 4, edc: loss / 4, etaSeconds: 1, stepsPerSecond: 2 };
}

test('lossSeries: one smoothed line per term on a 1-based step axis; epochStarts marks each epoch', () => {
  const steps = [step(1, 1, 3, 4), step(1, 2, 3, 2), step(1, 3, 3, 2), step(2, 1, 2, 1), step(2, 2, 2, 1)];
  const raw = lossSeries(steps, 0);
  assert.deepEqual(
    raw.total.map((p) => p.x),
    [1, 2, 3, 4, 5],
  );
  assert.deepEqual(
    raw.total.map((p) => p.y),
    [4, 2, 2, 1, 1],
  );
  assert.deepEqual(
    raw.mc.map((p) => p.y),
    [2, 1, 1, 0.5, 0.5],
  );
  const sm = lossSeries(steps, 0.5);
  assert.equal(sm.total[0].y, 4);
  assert.ok(sm.total[1].y > 2 && sm.total[1].y < 4, 'smoothed lies between');
  assert.deepEqual(epochStarts(steps), [
    { epoch: 1, x: 1 },
    { epoch: 2, x: 4 },
  ]);
  const many = Array.from({ length: 5000 }, (_, i) => step(1 + Math.floor(i / 1000), (i % 1000) + 1, 1000, 1 / (i + 1)));
  const capped = lossSeries(many, 0.6, 300);
  assert.equal(capped.edc.length, 300);
  assert.equal(capped.edc.at(-1)!.x, 5000);
});

function epoch(e: number, map: number, r1: number): EpochReport {
  return {
    epoch: e,
    val: { mapAtR: map, recallAt1: r1, queries: 10 },
    seconds: 1,
    ...(e > 0 ? { loss: { total: 1, mc: 1, ec: 0, edc: 0 } } : {}),
  };
}

test('validationSeries: one point per epoch from epoch 0, in order, a re-sent epoch replacing the old; best = highest map@r, earliest on ties', () => {
  const eps = [epoch(0, 0.2, 0.5), epoch(2, 0.4, 0.7), epoch(1, 0.4, 0.6), epoch(2, 0.35, 0.7)];
  const v = validationSeries(eps);
  assert.deepEqual(v.mapAtR, [
    { x: 0, y: 0.2 },
    { x: 1, y: 0.4 },
    { x: 2, y: 0.35 },
  ]);
  assert.deepEqual(
    v.recallAt1.map((p) => p.x),
    [0, 1, 2],
  );
  assert.equal(bestEpoch([epoch(0, 0.2, 0.5), epoch(1, 0.4, 0.6), epoch(2, 0.4, 0.7)])!.epoch, 1);
  assert.equal(bestEpoch([]), undefined);
});

test('formatDuration rounds up and never shows 60 s or 60 min', () => {
  assert.equal(formatDuration(0.2), '1 s');
  assert.equal(formatDuration(59.5), '1 min 0 s');
  assert.equal(formatDuration(119.7), '2 min 0 s');
  assert.equal(formatDuration(3599.5), '1 h 0 min');
  assert.equal(formatDuration(7260), '2 h 1 min');
  assert.equal(formatDuration(NaN), '—');
  assert.equal(formatDuration(-1), '—');
});
