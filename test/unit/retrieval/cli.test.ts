import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeNpy } from '../../../src/core/io/npy';
import { retrievalMetrics } from '../../../src/core/retrieval/metrics';
import { loadMetricsFixtures, flatten } from '../helpers/fixtures';

function cli(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('embedding-lens metrics: JSON equals the engine (both protocols); exit 2 on bad usage, 1 on bad data', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lens-metrics-cli-'));
  try {
    const fixtures = loadMetricsFixtures();
    const loo = fixtures.find((f) => f.protocol === 'leave-one-out')!;
    const qg = fixtures.find((f) => f.protocol === 'query-gallery')!;
    for (const f of [loo, qg]) {
      const n = f.embeddings.length;
      const dim = f.embeddings[0].length;
      const e = join(dir, `${f.name}.npy`);
      const l = join(dir, `${f.name}.json`);
      await writeNpy(e, flatten(f.embeddings), [n, dim]);
      writeFileSync(l, JSON.stringify(f.labels));
      const args = ['metrics', '--embeddings', e, '--labels', l, '--k', '1,2,4,8'];
      if (f.protocol === 'query-gallery') {
        const m = join(dir, `${f.name}-mask.json`);
        writeFileSync(m, JSON.stringify(f.query_mask));
        args.push('--protocol', 'query-gallery', '--query-mask', m);
      }
      const r = cli(args);
      assert.equal(r.code, 0, r.stderr);
      const json = JSON.parse(r.stdout);
      const engine = await retrievalMetrics(flatten(f.embeddings), n, dim, Int32Array.from(f.labels), {
        protocol: f.protocol as 'leave-one-out' | 'query-gallery',
        queryMask: f.query_mask,
      });
      for (const [k, v] of Object.entries(engine.overall)) assert.equal(json[k], v, `${f.name}: ${k}`);
      for (const k of Object.keys(f.expected)) assert.ok(k in json, `${f.name}: SPEC key ${k}`);
      assert.equal(typeof json.nmi, 'number');
      assert.equal(typeof json.ami, 'number');
      assert.equal(json.per_class.length, new Set(f.labels).size);
    }
    const e = join(dir, `${loo.name}.npy`);
    const l = join(dir, `${loo.name}.json`);
    assert.equal(cli(['metrics', '--labels', l]).code, 2);
    assert.equal(cli(['metrics', '--embeddings', e, '--labels', l, '--protocol', 'bogus']).code, 2);
    assert.equal(cli(['metrics', '--embeddings', e, '--labels', l, '--k', '1,x']).code, 2);
    const short = join(dir, 'short.json');
    writeFileSync(short, JSON.stringify(loo.labels.slice(1)));
    const bad = cli(['metrics', '--embeddings', e, '--labels', short]);
    assert.equal(bad.code, 1);
    const n = loo.labels.length;
    assert.ok(bad.stderr.includes(`short.json: ${n - 1} labels for the ${n} rows`), bad.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
