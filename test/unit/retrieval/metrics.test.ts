import { test } from 'node:test';
import assert from 'node:assert/strict';
import { queryGalleryMetrics, retrievalMetrics } from '../../../src/core/retrieval/metrics';
import { LensError } from '../../../src/core/errors';
import { loadMetricsFixtures, close, flatten } from '../helpers/fixtures';
import { blobs, bruteNeighbours } from './helpers';

test('retrieval metrics match every fixture (both protocols) to 1e-5', async () => {
  const fixtures = loadMetricsFixtures();
  assert.ok(fixtures.some((f) => f.protocol === 'leave-one-out') && fixtures.some((f) => f.protocol === 'query-gallery'));
  for (const f of fixtures) {
    const n = f.embeddings.length;
    const dim = f.embeddings[0].length;
    const rep = await retrievalMetrics(flatten(f.embeddings), n, dim, Int32Array.from(f.labels), {
      protocol: f.protocol as 'leave-one-out' | 'query-gallery',
      normalize: f.normalize,
      queryMask: f.query_mask,
    });
    for (const [k, v] of Object.entries(f.expected)) {
      const got = rep.overall[k];
      assert.equal(typeof got, 'number', `${f.name}.${k} missing`);
      assert.ok(close(got as number, v, 1e-5), `${f.name}.${k} = ${got}, expected ${v}`);
    }
  }
});

test('per-class metrics partition the queries and average back to the overall numbers', async () => {
  const n = 240,
    dim = 6;
  const { data, labels } = blobs(n, dim, 6, 11, 1.2);
  const rep = await retrievalMetrics(data, n, dim, labels, { ks: [1, 3, 10] });
  assert.deepEqual(Object.keys(rep.overall), [
    'queries',
    'excluded_queries',
    'recall@1',
    'recall@3',
    'recall@10',
    'precision@1',
    'r_precision',
    'map@r',
    'mrr',
  ]);
  assert.equal(rep.perClass.length, 6);
  assert.equal(
    rep.perClass.reduce((a, c) => a + (c.metrics.queries as number), 0),
    n,
  );
  for (const key of ['recall@3', 'map@r', 'mrr', 'r_precision']) {
    const weighted = rep.perClass.reduce((a, c) => a + (c.metrics[key] as number) * (c.metrics.queries as number), 0) / n;
    assert.ok(Math.abs(weighted - (rep.overall[key] as number)) < 1e-12, key);
  }
});

test('metrics equal a float64 brute-force ranking, including first hits beyond R', async () => {
  const n = 160,
    dim = 5;
  // Heavy noise, so many first hits fall outside the top R and ranks go deep.
  const { data, labels } = blobs(n, dim, 8, 5, 3);
  const rep = await retrievalMetrics(data, n, dim, labels, { ks: [1, 5, 50] });
  let r1 = 0,
    r50 = 0,
    mrr = 0,
    map = 0,
    rp = 0;
  for (let q = 0; q < n; q++) {
    const order = bruteNeighbours(data, n, dim, q, true).map((x) => labels[x.j] === labels[q]);
    const R = order.filter(Boolean).length;
    const first = order.indexOf(true) + 1;
    r1 += first <= 1 ? 1 : 0;
    r50 += first <= 50 ? 1 : 0;
    mrr += 1 / first;
    let hits = 0,
      ap = 0;
    for (let i = 0; i < R; i++) if (order[i]) ap += ++hits / (i + 1);
    map += ap / R;
    rp += hits / R;
  }
  assert.ok(close(rep.overall['recall@1'] as number, r1 / n, 1e-9));
  assert.ok(close(rep.overall['recall@50'] as number, r50 / n, 1e-9));
  assert.ok(close(rep.overall.mrr as number, mrr / n, 1e-9));
  assert.ok(close(rep.overall['map@r'] as number, map / n, 1e-9));
  assert.ok(close(rep.overall.r_precision as number, rp / n, 1e-9));
});

test('duplicates of the query count as hits only as other items; the query never retrieves itself', async () => {
  // Two identical rows of class 0, one of class 1 in the same spot, and a distant class-1 row.
  const data = new Float32Array([1, 0, 1, 0, 1, 0, 0, 1]);
  const labels = Int32Array.from([0, 0, 1, 1]);
  const rep = await retrievalMetrics(data, 4, 2, labels, { ks: [1, 2] });
  // Queries 0 and 1 find each other at d = 0 first (rank 1). Query 2 sees 0 and 1 at d = 0 (misses)
  // before row 3; query 3 sees 0, 1, 2 at one distance, ties by index, so its hit is rank 3.
  assert.equal(rep.overall['recall@1'], 0.5);
  assert.equal(rep.overall['recall@2'], 0.5);
  assert.ok(close(rep.overall.mrr as number, (1 + 1 + 1 / 3 + 1 / 3) / 4, 1e-12));
});

test('singleton classes are excluded and counted; per class they report null metrics', async () => {
  const { data, labels } = blobs(30, 4, 3, 9);
  labels[29] = 7;
  const rep = await retrievalMetrics(data, 30, 4, labels);
  assert.equal(rep.overall.excluded_queries, 1);
  assert.equal(rep.overall.queries, 30);
  const lonely = rep.perClass.find((c) => c.label === 7)!;
  assert.equal(lonely.metrics.excluded_queries, 1);
  assert.equal(lonely.metrics['recall@1'], null);
});

test('bad input: clear LensErrors', async () => {
  const ok = new Float32Array([1, 0, 0, 1, 1, 1, 1, 2]);
  const lab = Int32Array.from([0, 0, 1, 1]);
  const expectErr = async (p: Promise<unknown>, re: RegExp) =>
    assert.rejects(p, (e: unknown) => e instanceof LensError && re.test(e.message) && e.message.includes('emb.npy'));
  await expectErr(retrievalMetrics(ok, 4, 2, Int32Array.from([0, 1, 1]), { file: 'emb.npy' }), /3 labels for 4 embeddings/);
  await expectErr(retrievalMetrics(ok, 4, 2, Int32Array.from([0, 0, 0, 0]), { file: 'emb.npy' }), /at least two classes/);
  await expectErr(
    retrievalMetrics(new Float32Array([1, 0, Infinity, 1, 1, 1, 1, 2]), 4, 2, lab, { file: 'emb.npy' }),
    /row 1 has a non-finite value \(Infinity\)/,
  );
  await expectErr(
    retrievalMetrics(new Float32Array([1, 0, 0, 0, 1, 1, 1, 2]), 4, 2, lab, { file: 'emb.npy' }),
    /row 1 is an all-zero vector/,
  );
  await expectErr(retrievalMetrics(ok, 4, 2, Int32Array.from([0, 1, 2, 3]), { file: 'emb.npy' }), /every query would be excluded/);
  await expectErr(retrievalMetrics(ok, 4, 2, lab, { file: 'emb.npy', protocol: 'query-gallery' }), /needs a query mask/);
  await expectErr(
    retrievalMetrics(ok, 4, 2, lab, { file: 'emb.npy', protocol: 'query-gallery', queryMask: [true, false] }),
    /2 entries for 4 embeddings/,
  );
  await assert.rejects(retrievalMetrics(ok, 4, 2, lab, { ks: [0] }), /positive integer K/);
  // Raw distances accept an all-zero row.
  const raw = await retrievalMetrics(new Float32Array([1, 0, 0, 0, 1, 1, 1, 2]), 4, 2, lab, { normalize: false });
  assert.equal(raw.overall.queries, 4);
});

test('the worker path agrees with the in-process path', async () => {
  const n = 2200,
    dim = 8;
  const { data, labels } = blobs(n, dim, 20, 21, 1.5);
  const a = await retrievalMetrics(data, n, dim, labels, { workers: 2 });
  const b = await retrievalMetrics(data, n, dim, labels, { workers: 1 });
  assert.deepEqual(a.overall, b.overall);
});

test('separate query and gallery sets: same numbers as the mask form; a dimension mismatch is a LensError', async () => {
  const f = loadMetricsFixtures().find((x) => x.protocol === 'query-gallery')!;
  const dim = f.embeddings[0].length;
  const side = (want: boolean) => {
    const rows = f.embeddings.filter((_, i) => Boolean(f.query_mask![i]) === want);
    return {
      data: flatten(rows),
      n: rows.length,
      dim,
      labels: Int32Array.from(f.labels.filter((_, i) => Boolean(f.query_mask![i]) === want)),
    };
  };
  const rep = await queryGalleryMetrics({ ...side(true), file: 'q.npy' }, { ...side(false), file: 'g.npy' });
  for (const [k, v] of Object.entries(f.expected)) assert.ok(close(rep.overall[k] as number, v, 1e-5), k);
  const g = side(false);
  const narrow = { data: new Float32Array(g.n * (dim - 1)).fill(1), n: g.n, dim: dim - 1, labels: g.labels, file: 'g.npy' };
  await assert.rejects(
    queryGalleryMetrics({ ...side(true), file: 'q.npy' }, narrow),
    (e: unknown) =>
      e instanceof LensError && /q\.npy: query embeddings have dimension 32 but the gallery \(g\.npy\) has 31/.test(e.message),
  );
});
