import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeNpy } from '../../../src/core/io/npy';
import { decodeCompare } from '../../../src/protocol';
import { tmp } from './helpers';

function cli(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'compare', ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const fast = ['--no-cache', '--epochs', '10', '--batches', '2', '--pk', '3,3', '--k', '4'];
let dir = '';
let a = '';
let b = '';
let labels = '';

before(async () => {
  dir = tmp();
  // 36 items in 3 classes; B has another dimension (3 vs 5) and a different geometry.
  const n = 36;
  const va = Float32Array.from({ length: n * 5 }, (_, t) => (Math.floor(t / 5) % 3) + Math.sin(t * 1.7));
  const vb = Float32Array.from({ length: n * 3 }, (_, t) => (Math.floor(t / 3) % 3) + 2 * Math.cos(t * 0.9));
  a = join(dir, 'a.npy');
  b = join(dir, 'b.npy');
  labels = join(dir, 'labels.txt');
  await writeNpy(a, va, [n, 5]);
  await writeNpy(b, vb, [n, 3]);
  writeFileSync(labels, Array.from({ length: n }, (_, i) => ['shoe', 'bag', 'mug'][i % 3]).join('\n') + '\n');
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('embedding-lens compare: deltas JSON on stdout, --json/--csv/--out files, different dimensions', () => {
  const r = cli([a, b, labels, ...fast, '--list', '3']);
  assert.equal(r.code, 0, r.stderr);
  const json = JSON.parse(r.stdout);
  for (const key of [
    'title',
    'a',
    'b',
    'matchedBy',
    'k',
    'meanJaccard',
    'jaccardHistogram',
    'alignment',
    'headline',
    'classes',
    'eet',
    'worse',
    'better',
  ])
    assert.ok(key in json, key);
  assert.deepEqual([json.a.dim, json.b.dim, json.k, json.matchedBy], [5, 3, 4, 'index']);
  assert.equal(json.headline[0].key, 'recall@1');
  assert.equal(json.classes.length, 3);
  assert.ok(json.worse.length <= 3 && json.better.length <= 3);
  assert.equal(
    json.jaccardHistogram.counts.reduce((s: number, c: number) => s + c, 0),
    36,
  );

  const deltas = join(dir, 'deltas.json');
  const csv = join(dir, 'csv');
  const report = join(dir, 'report.html');
  const f = cli([a, b, labels, ...fast, '--json', deltas, '--csv', csv, '--out', report, '--thumbnails', '0']);
  assert.equal(f.code, 0, f.stderr);
  assert.equal(f.stdout, '');
  const written = JSON.parse(readFileSync(deltas, 'utf8'));
  assert.equal(written.report, report);
  assert.deepEqual(written.headline, json.headline);
  for (const name of ['headline', 'classes', 'eet', 'items', 'jaccard']) assert.ok(existsSync(join(csv, `${name}.csv`)), name);
  assert.equal(readFileSync(join(csv, 'jaccard.csv'), 'utf8').trim().split('\n').length, 37);
  const html = readFileSync(report, 'utf8');
  const data = decodeCompare(/<script type="application\/json" id="lens-data">([\s\S]*?)<\/script>/.exec(html)![1]);
  assert.ok(data.a && data.b);
  assert.equal(data.jaccard.length, 36);
  assert.ok(data.b.layout?.umap instanceof Float32Array);
});

test('embedding-lens compare: exit 2 on bad usage, 1 with a clear message when items do not match', async () => {
  assert.equal(cli([a]).code, 2);
  assert.equal(cli([a, b, labels, '--bogus', '1']).code, 2);
  assert.equal(cli([a, b, labels, '--list', '-1']).code, 2);
  const short = join(dir, 'short.npy');
  await writeNpy(
    short,
    Float32Array.from({ length: 30 * 3 }, (_, i) => i % 7),
    [30, 3],
  );
  const shortLabels = join(dir, 'short.txt');
  writeFileSync(shortLabels, Array.from({ length: 30 }, (_, i) => `c${i % 3}`).join('\n') + '\n');
  const r = cli([a, short, labels, '--dataset-b', shortLabels, ...fast]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /cannot compare A \(a\.npy on labels\.txt\), 36 items, with B \(short\.npy on short\.txt\), 30 items/);
});
