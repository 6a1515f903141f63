// Any tfjs model JSON is a checkpoint: a graph model saved as `mobilefacenet.json` (not model.json)
// is found by the extension's watcher, so the Explorer menus (`resourcePath in
// embeddingLens.checkpointFiles`) offer Inspect / Fine-tune / Compare on it, and Inspect runs on it.
// A .pt file gets the ONNX export recipe instead of nothing.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeProductImages } from '../../../src/demo';
import type { InspectionRun } from '../../../src/core/inspect/pipeline';
import { activeExtension, manifest } from './helpers/extension';
import { closeAllEditors } from './helpers/webview';
import { waitFor } from './helpers/wait';
import { workspaceDir } from './helpers/workspace';

/** A hand-written tfjs GraphModel: x [n,32,32,3] → Reshape [n,3072] → MatMul W [3072,8] = "embedding/MatMul". */
function writeGraphModel(dir: string, name: string): string {
  mkdirSync(dir, { recursive: true });
  const W = Float32Array.from({ length: 3072 * 8 }, (_, i) => (((i * 7919) % 101) / 101 - 0.5) / 30);
  const shape = new Int32Array([-1, 3072]);
  writeFileSync(join(dir, `${name}.bin`), Buffer.concat([Buffer.from(W.buffer), Buffer.from(shape.buffer)]));
  const konst = (n: string, dtype: string, dims: number[]) => ({
    name: n,
    op: 'Const',
    input: [],
    attr: { dtype: { type: dtype }, value: { tensor: { dtype, tensorShape: { dim: dims.map((d) => ({ size: String(d) })) } } } },
  });
  const topology = {
    node: [
      {
        name: 'x',
        op: 'Placeholder',
        input: [],
        attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: { dim: [{ size: '-1' }, { size: '32' }, { size: '32' }, { size: '3' }] } } },
      },
      konst('W', 'DT_FLOAT', [3072, 8]),
      konst('shape', 'DT_INT32', [2]),
      { name: 'flat', op: 'Reshape', input: ['x', 'shape'], attr: { T: { type: 'DT_FLOAT' } } },
      {
        name: 'embedding/MatMul',
        op: 'MatMul',
        input: ['flat', 'W'],
        attr: { T: { type: 'DT_FLOAT' }, transpose_a: { b: false }, transpose_b: { b: false } },
      },
    ],
    library: {},
    versions: {},
  };
  const manifestJson = [
    {
      paths: [`${name}.bin`],
      weights: [
        { name: 'W', shape: [3072, 8], dtype: 'float32' },
        { name: 'shape', shape: [2], dtype: 'int32' },
      ],
    },
  ];
  const path = join(dir, `${name}.json`);
  writeFileSync(
    path,
    JSON.stringify({
      format: 'graph-model',
      generatedBy: 'host test',
      convertedBy: 'hand',
      modelTopology: topology,
      weightsManifest: manifestJson,
    }),
  );
  return path;
}

describe('checkpoint files in the Explorer', function () {
  this.timeout(300_000);
  let api: { checkpointFiles(): string[] };
  let dir: string;

  before(async () => {
    api = (await activeExtension()).exports as typeof api;
    dir = join(workspaceDir(), 'faces');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
  });
  afterEach(closeAllEditors);

  it('menus match tfjs JSON of any name through the context key', () => {
    const menus = (manifest() as unknown as { contributes: { menus: Record<string, { command: string; when: string }[]> } }).contributes
      .menus['explorer/context'];
    for (const cmd of ['embeddingLens.inspect', 'embeddingLens.compare', 'embeddingLens.fineTune']) {
      const entry = menus.find((m) => m.command === cmd);
      assert.ok(entry?.when.includes('resourcePath in embeddingLens.checkpointFiles'), `${cmd}: ${entry?.when}`);
    }
    assert.ok(menus.find((m) => m.command === 'embeddingLens.pytorchHelp')?.when.includes('resourceExtname == .pt'));
  });

  it('a tfjs graph model named mobilefacenet.json joins embeddingLens.checkpointFiles and Inspect runs on it', async () => {
    const decoy = join(dir, 'settings.json');
    writeFileSync(decoy, JSON.stringify({ format: 'not-a-model', modelName: 'x' }));
    const model = writeGraphModel(dir, 'mobilefacenet');
    await waitFor('the watcher to list mobilefacenet.json', () => api.checkpointFiles().includes(model), 60_000);
    assert.ok(!api.checkpointFiles().includes(decoy), 'a JSON that is not a tfjs model stays out of the menus');

    const dataset = (await makeProductImages(join(dir, 'products'), { classes: 3, perClass: 4, size: 32 })).root;
    const run = await vscode.commands.executeCommand<InspectionRun | undefined>('embeddingLens.inspect', vscode.Uri.file(model), {
      dataset,
    });
    assert.ok(run, 'the command returns the inspection');
    assert.equal(run.cancelled, false);
    assert.equal(run.data.items?.n, 12);

    rmSync(model);
    await waitFor('the watcher to drop a deleted model', () => !api.checkpointFiles().includes(model), 60_000);
  });

  it('a projector embeddings .tsv of any name (vecs.tsv) joins embeddingLens.checkpointFiles; a manifest .tsv does not, and Fine-tune is never offered on one', async () => {
    const vecs = join(dir, 'vecs.tsv');
    const manifestTsv = join(dir, 'manifest.tsv');
    writeFileSync(manifestTsv, 'path\tlabel\nimg/a.png\tcat\n');
    writeFileSync(vecs, '0.1\t0.2\t0.3\n0.4\t0.5\t0.6\n');
    await waitFor('the watcher to list vecs.tsv', () => api.checkpointFiles().includes(vecs), 60_000);
    assert.ok(!api.checkpointFiles().includes(manifestTsv), 'a manifest stays out of the menus');
    const menus = (manifest() as unknown as { contributes: { menus: Record<string, { command: string; when: string }[]> } }).contributes
      .menus['explorer/context'];
    assert.match(menus.find((m) => m.command === 'embeddingLens.inspect')!.when, /resourceFilename == tensor\.tsv/);
    assert.match(
      menus.find((m) => m.command === 'embeddingLens.fineTune')!.when,
      /resourceExtname != \.tsv/,
      'precomputed embeddings cannot be fine-tuned',
    );
  });

  it('a .pt file gets the two-line torch.onnx.export recipe and the embedding-lens.json keys', async () => {
    const pt = join(dir, 'resnet.pt');
    writeFileSync(pt, Buffer.from('PK\u0003\u0004 not really a zip'));
    const text = await vscode.commands.executeCommand<string>('embeddingLens.pytorchHelp', vscode.Uri.file(pt));
    assert.match(text, /model\.eval\(\)/);
    assert.match(text, /torch\.onnx\.export\(model/);
    assert.match(text, /embedding-lens\.json/);
    assert.match(text, /"inputSize"/);
  });
});
