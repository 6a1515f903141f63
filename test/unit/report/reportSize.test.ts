// Issue #15: an HTML report at 10^6 items stays openable. Long path lists share their folder once
// (the codec), and above REPORT_NEIGHBOUR_LIMIT items the neighbour table stays out of the page,
// which says so in its notes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeInspection, encodeInspection, type InspectionData } from '../../../src/core/model';
import { reportHtml, REPORT_NEIGHBOUR_LIMIT, type ReportAssets } from '../../../src/core/report/writeReport';

const assets: ReportAssets = { script: '/* panel bundle */', css: '' };

function items(n: number, k: number): InspectionData {
  return {
    title: 'big',
    source: { checkpoint: '/m/e.npy', dataset: '/data/sop/labels.npy' },
    items: {
      n,
      labels: new Int32Array(n),
      classNames: ['c0'],
      paths: Array.from({ length: n }, (_, i) => `/data/stanford-online-products/bicycle_final/${i}.JPG`),
    },
    layout: { pca: new Float32Array(2 * n) },
    neighbours: { k, indices: new Int32Array(n * k), distances: new Float32Array(n * k) },
  };
}

test('the codec stores a long path list as its shared prefix once and restores it exactly', () => {
  const data = items(1000, 2);
  data.items!.paths[7] = '/data/stanford-online-products/other/7.JPG';
  const text = encodeInspection(data);
  assert.equal(text.split('/data/stanford-online-products/').length - 1, 1, 'the prefix is written once');
  assert.deepEqual(decodeInspection(text).items!.paths, data.items!.paths);
  // Short lists and lists without a long shared prefix are written as they are.
  const small = { ...data, items: { ...data.items!, paths: ['/a/x', '/a/y'] } };
  assert.deepEqual(decodeInspection(encodeInspection(small)).items!.paths, ['/a/x', '/a/y']);
  const mixed = Array.from({ length: 100 }, (_, i) => (i % 2 ? `/p/${i}` : `/q/${i}`));
  assert.deepEqual(decodeInspection(encodeInspection({ ...data, items: { ...data.items!, paths: mixed } })).items!.paths, mixed);
});

test(`above ${REPORT_NEIGHBOUR_LIMIT.toLocaleString('en-US')} items a report leaves out the neighbour table and says so`, async () => {
  const small = await reportHtml(items(REPORT_NEIGHBOUR_LIMIT, 3), { assets, thumbnails: 0 });
  assert.ok(!small.includes('leaves out the top-'));
  const n = REPORT_NEIGHBOUR_LIMIT + 1;
  const page = await reportHtml(items(n, 3), { assets, thumbnails: 0 });
  const json = /<script[^>]*type="application\/json"[^>]*>([\s\S]*?)<\/script>/.exec(page)![1];
  const data = decodeInspection(json);
  assert.equal(data.neighbours, undefined);
  assert.equal(data.items!.n, n);
  assert.match(
    data.notes!.at(-1)!,
    /^this report leaves out the top-3 neighbour table \(200,001 items, more than 200,000: it would add ~\d+ MB\)/,
  );
  assert.ok(page.length < small.length, 'smaller than the page that kept it');
});
