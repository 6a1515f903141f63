import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { detectCheckpointKind } from '../../../src/core/checkpoint';
import { looksLikeProjectorTsv, looksLikeTfjsModelJson } from '../../../src/core/checkpoint/sniff';
import { LensError } from '../../../src/core/errors';
import { tmp } from '../embed/helpers/make';
import { writeGraphModel } from '../embed/helpers/tfjs';

test('looksLikeTfjsModelJson: tfjs JSON of any name yes; other JSON, folders, FIFOs and missing files no', async () => {
  const dir = tmp();
  const graph = writeGraphModel(join(dir, 'g')).path;
  writeFileSync(join(dir, 'mobilefacenet.json'), `\n  {"format": "graph-model", "modelTopology": {"node": []}, "weightsManifest": []}`);
  writeFileSync(join(dir, 'layers.json'), JSON.stringify({ modelTopology: { class_name: 'Sequential' }, weightsManifest: [] }));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'x', format: 'esm', description: 'mentions modelTopology in prose' }));
  writeFileSync(join(dir, 'list.json'), JSON.stringify(['"modelTopology":']));
  mkdirSync(join(dir, 'folder.json'));
  execFileSync('mkfifo', [join(dir, 'fifo.json')]);
  assert.equal(await looksLikeTfjsModelJson(graph), true);
  assert.equal(await looksLikeTfjsModelJson(join(dir, 'mobilefacenet.json')), true);
  assert.equal(await looksLikeTfjsModelJson(join(dir, 'layers.json')), true);
  for (const no of ['package.json', 'list.json', 'folder.json', 'fifo.json', 'missing.json'])
    assert.equal(await looksLikeTfjsModelJson(join(dir, no)), false, no);
});

test('looksLikeProjectorTsv: projector vectors of any name yes; manifests, metadata, one column and FIFOs no', async () => {
  const dir = tmp();
  writeFileSync(join(dir, 'tensor.tsv'), '0.1\t-2e-3\t3\n1\t2\t3\n');
  writeFileSync(join(dir, 'vecs.tsv'), '\uFEFF.5\t1.25\r\n');
  writeFileSync(join(dir, 'manifest.tsv'), 'path\tlabel\nimg/a.png\tcat\n');
  writeFileSync(join(dir, 'metadata.tsv'), '1\t2\n');
  writeFileSync(join(dir, 'ids.tsv'), '17\n18\n');
  writeFileSync(join(dir, 'numbers.csv'), '1\t2\n');
  execFileSync('mkfifo', [join(dir, 'fifo.tsv')]);
  for (const yes of ['tensor.tsv', 'vecs.tsv']) assert.equal(await looksLikeProjectorTsv(join(dir, yes)), true, yes);
  for (const no of ['manifest.tsv', 'metadata.tsv', 'ids.tsv', 'numbers.csv', 'fifo.tsv', 'missing.tsv'])
    assert.equal(await looksLikeProjectorTsv(join(dir, no)), false, no);
});

test('a .pt / .pth / .safetensors checkpoint is refused with the torch.onnx.export recipe and the sidecar keys', async () => {
  const dir = tmp();
  for (const ext of ['.pt', '.pth', '.safetensors']) {
    const file = join(dir, `model${ext}`);
    writeFileSync(file, 'x');
    await assert.rejects(detectCheckpointKind(file), (err: unknown) => {
      assert.ok(err instanceof LensError);
      assert.match(err.message, /PyTorch checkpoint/);
      assert.match(err.message, /torch\.onnx\.export\(model, torch\.randn\(1, 3, 224, 224\)/);
      assert.match(err.message, /embedding-lens\.json/);
      return true;
    });
  }
});
