import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeNpy } from '../../../src/core/io/npy';
import { loadEetFixtures, close, flatten } from '../helpers/fixtures';

function cli(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('embedding-lens eet: one batch matches the fixture; the breakdown prints its sections; bad usage exits 2', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lens-eet-cli-'));
  try {
    const f = loadEetFixtures().find((x) => x.name === 'raw-l2')!;
    const n = f.embeddings.length;
    const e = join(dir, 'e.npy');
    const l = join(dir, 'l.txt');
    await writeNpy(e, flatten(f.embeddings), [n, f.embeddings[0].length]);
    writeFileSync(l, f.labels.join('\n') + '\n');
    const w = f.options.weights as unknown as Record<string, number>;
    const r = cli([
      'eet',
      '--embeddings',
      e,
      '--labels',
      l,
      '--raw',
      '--margin',
      String(f.options.margin),
      '--weights',
      `${w.mc},${w.ec},${w.edc}`,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(json), ['mc', 'ec', 'm', 'e', 'edc', 'total', 'anchors', 'classes']);
    for (const k of ['mc', 'ec', 'm', 'e', 'edc', 'total'] as const) assert.ok(close(json[k], f.expected[k], 1e-5), k);
    assert.equal(json.anchors, f.expected.anchors);

    const b = cli(['eet', '--embeddings', e, '--labels', l, '--batches', '3', '--pk', '3,2', '--seed', '5']);
    assert.equal(b.code, 0, b.stderr);
    const br = JSON.parse(b.stdout);
    for (const k of ['terms', 'perBatch', 'perClass', 'histograms', 'marginViolationRate', 'geometry']) assert.ok(k in br, k);
    assert.equal(br.perBatch.length, 3);
    assert.equal(typeof br.geometry.classes[0].label, 'string');

    assert.equal(cli(['eet', '--embeddings', e, '--labels', l, '--batches', '3']).code, 2);
    assert.equal(cli(['eet', '--embeddings', e, '--labels', l, '--weights', '1,1']).code, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
