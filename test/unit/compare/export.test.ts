import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import {
  classesCsv,
  compareDeltasJson,
  compareReportHtml,
  headlineCsv,
  itemsCsv,
  jaccardCsv,
  jaccardHistogram,
} from '../../../src/core/compare';
import { decodeCompare, type CompareData, type InspectionData } from '../../../src/protocol';
import { tmp } from './helpers';

function side(name: string, paths: string[]): InspectionData {
  return {
    title: name,
    source: { checkpoint: `/m/${name}.onnx`, dataset: '/ds' },
    items: { n: paths.length, labels: Int32Array.from([0, 0, 1]), classNames: ['a, "quoted"', 'b'], paths },
    layout: { umap: Float32Array.from([0, 0, 1, 0, 0, 1]) },
    classes: [
      {
        classIndex: 0,
        name: 'a, "quoted"',
        size: 2,
        meanDistToCentroid: 0.1,
        p90Radius: 0.2,
        nearestClass: 1,
        nearestDistance: 0.5,
        precisionAt1: 1,
        mapAtR: 1,
      },
      {
        classIndex: 1,
        name: 'b',
        size: 1,
        meanDistToCentroid: 0,
        p90Radius: 0,
        nearestClass: 0,
        nearestDistance: 0.5,
        precisionAt1: NaN,
        mapAtR: NaN,
      },
    ],
  };
}

function sample(paths: string[]): CompareData {
  return {
    title: 'A vs B',
    a: side('A', paths),
    b: side('B', paths),
    k: 2,
    jaccard: Float32Array.from([1, 1 / 3, 0.5]),
    meanJaccard: (1 + 1 / 3 + 0.5) / 3,
    headline: [{ key: 'recall@1', a: 0.5, b: 0.75, delta: 0.25 }],
    classes: [
      {
        classIndex: 0,
        name: 'a, "quoted"',
        size: 2,
        metrics: [
          { key: 'precision@1', a: 1, b: 0.5, delta: -0.5 },
          { key: 'map@r', a: 1, b: 0.5, delta: -0.5 },
        ],
      },
    ],
    eet: [{ key: 'total', a: 0.3, b: 0.2, delta: -0.1 }],
    worse: [{ index: 1, jaccard: 1 / 3, precisionA: 0.5, precisionB: 0, topA: Int32Array.from([0, 2]), topB: Int32Array.from([2, 0]) }],
    better: [],
    alignment: { scale: 1, rmsd: 0, shared: 3 },
  };
}

test('deltas JSON and CSV: plain values, float32 printed short, CSV quoting, NaN as empty', () => {
  const cmp = sample(['/ds/0.png', '/ds/1.png', '/ds/2.png']);
  const json = compareDeltasJson(cmp, { dims: { a: 6, b: 3 }, matchedBy: 'path' });
  assert.deepEqual((json.a as { dim: number }).dim, 6);
  assert.deepEqual(json.worse, [
    {
      index: 1,
      path: '/ds/1.png',
      class: 'a, "quoted"',
      jaccard: 0.3333333,
      precisionA: 0.5,
      precisionB: 0,
      delta: -0.5,
      topA: [0, 2],
      topB: [2, 0],
    },
  ]);
  assert.deepEqual((json.classes as { nearestClassA: string }[])[0].nearestClassA, 'b');
  assert.equal(JSON.stringify(json).includes('$typed'), false);
  assert.equal(headlineCsv(cmp), 'metric,a,b,delta\nrecall@1,0.5,0.75,0.25\n');
  const classes = classesCsv(cmp).split('\n');
  assert.ok(classes[1].startsWith('0,"a, ""quoted""",2,1,0.5,-0.5,1,0.5,-0.5,'), classes[1]);
  assert.match(classes[1], /,,,$/);
  assert.equal(itemsCsv(cmp).split('\n')[1], 'worse,1,1,/ds/1.png,"a, ""quoted""",0.3333333,0.5,0,-0.5,0 2,2 0');
  assert.equal(jaccardCsv(cmp).split('\n')[3], '2,/ds/2.png,b,0.5');
  // A is a .npy with a labels file (row references), B names the same items: B's paths are shown.
  const rowRefs = { ...cmp, a: side('A', ['/e.npy#0', '/e.npy#1', '/e.npy#2']) };
  assert.equal((compareDeltasJson(rowRefs).worse as { path: string }[])[0].path, '/ds/1.png');
  assert.equal(jaccardCsv(rowRefs).split('\n')[1], '0,/ds/0.png,"a, ""quoted""",1');
  assert.deepEqual(jaccardHistogram(Float32Array.from([0, 0.05, 0.95, 1]), 10).counts, [2, 0, 0, 0, 0, 0, 0, 0, 0, 2]);
});

test('the compare report inlines the comparison (typed arrays intact) and thumbnails in A only', async () => {
  const dir = tmp();
  try {
    mkdirSync(join(dir, 'ds'));
    const paths = [0, 1, 2].map((i) => join(dir, 'ds', `${i}.png`));
    for (const p of paths)
      await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 200, g: 10, b: 10 } } })
        .png()
        .toFile(p);
    // The report inlines only files inside A's dataset (see report/thumbnails), so A names the real one.
    const cmp = sample(paths);
    cmp.a.source.dataset = join(dir, 'ds');
    const html = await compareReportHtml(cmp, { assets: { script: 'window.x = 1;', css: 'body{}' }, thumbnails: 2, theme: 'dark' });
    const text = /<script type="application\/json" id="lens-data">([\s\S]*?)<\/script>/.exec(html)![1];
    const data = decodeCompare(text);
    assert.deepEqual(Array.from(data.jaccard), Array.from(Float32Array.from([1, 1 / 3, 0.5])));
    assert.ok(data.worse[0].topA instanceof Int32Array);
    assert.ok(data.a.items!.thumbnails![0].startsWith('data:image/'));
    assert.equal(data.a.items!.thumbnails![2], '');
    assert.equal(data.b.items!.thumbnails, undefined);
    assert.match(html, /<title>Embedding Lens — A vs B<\/title>/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
