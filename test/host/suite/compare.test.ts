// The Compare Embeddings flow in a real extension host: two tiny ONNX checkpoints (different
// embedding heads) over a tiny generated image folder. The command's deltas must equal the
// engine's own run of the same comparison, the panel's webview must show them, Export Report must
// write the comparison, and a checkpoint compared with itself must show zero deltas and Jaccard 1.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runComparison, type ComparisonRun } from '../../../src/core/compare';
import { computeEmbeddings } from '../../../src/core/embed/compute';
import { readSettings } from '../../../src/host/settings';
import { activeExtension } from './helpers/extension';
import { harness, webviewAttribute, webviewScreenshot, webviewText, webviewWaitFor } from './helpers/runner';
import { closeAllEditors, waitForWebviewTab } from './helpers/webview';
import { npyBytes, workspaceDir, writeImageFolder, writeWorkspaceFile } from './helpers/workspace';

type Done = Extract<ComparisonRun, { cancelled: false }>;

const same = (x: number, y: number) => (Number.isNaN(x) && Number.isNaN(y)) || Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(x));

describe('Compare Embeddings', function () {
  this.timeout(300_000);
  let modelA: string;
  let modelB: string;
  let dataset: string;

  before(async () => {
    const root = (await activeExtension()).extensionPath;
    modelA = join(root, 'test/fixtures/models/tiny-cnn.onnx');
    modelB = join(root, 'test/fixtures/models/tiny-classifier.onnx');
    dataset = writeImageFolder('compare/images', { classes: 3, perClass: 6, size: 16 });
  });
  afterEach(closeAllEditors);

  it('compares two checkpoints selected in the explorer: deltas equal the engine’s, the panel shows them, Export Report writes them', async () => {
    const a = vscode.Uri.file(modelA);
    const b = vscode.Uri.file(modelB);
    const result = await vscode.commands.executeCommand<ComparisonRun | undefined>('embeddingLens.compare', a, [a, b], { dataset });
    assert.ok(result, 'the command returns the run');
    assert.equal(result.cancelled, false);
    const run = result as Done;

    // The engine on its own, without the extension or its cache. This bundle is not in dist/, so
    // it is told where the built worker entries are.
    process.env.EMBEDDING_LENS_WORKER_DIR = join(harness().extensionPath, 'dist', 'workers');
    const own = (await runComparison({ checkpointA: modelA, checkpointB: modelB, dataset, settings: readSettings() })) as Done;
    assert.equal(own.cancelled, false);
    assert.deepEqual(
      run.data.headline.map((d) => d.key),
      own.data.headline.map((d) => d.key),
    );
    run.data.headline.forEach((d, i) =>
      assert.ok(
        same(d.delta, own.data.headline[i].delta) && same(d.a, own.data.headline[i].a),
        `${d.key}: ${d.delta} vs ${own.data.headline[i].delta}`,
      ),
    );
    run.data.eet.forEach((d, i) => assert.ok(same(d.delta, own.data.eet[i].delta), `eet ${d.key}`));
    assert.deepEqual(
      run.data.classes.map((c) => c.classIndex),
      own.data.classes.map((c) => c.classIndex),
    );
    assert.ok(same(run.data.meanJaccard, own.data.meanJaccard));
    assert.deepEqual(Array.from(run.data.jaccard), Array.from(own.data.jaccard));
    assert.deepEqual(
      run.data.worse.map((c) => c.index),
      own.data.worse.map((c) => c.index),
    );
    assert.deepEqual(
      run.data.better.map((c) => c.index),
      own.data.better.map((c) => c.index),
    );

    await waitForWebviewTab('embeddingLens.compare');
    await webviewWaitFor('#worse-list', { timeoutMs: 60_000 });
    assert.equal(await webviewAttribute('#mean-jaccard', 'data-value'), String(run.data.meanJaccard));
    const r1 = run.data.headline.find((d) => d.key === 'recall@1')!;
    assert.equal(await webviewAttribute('#headline-deltas tr[data-key="recall@1"] td.delta', 'data-value'), String(r1.delta));
    if (run.data.worse.length)
      assert.equal(await webviewAttribute('#worse-list > li.change', 'data-index'), String(run.data.worse[0].index));
    await webviewScreenshot('compare-panel');

    const out = join(workspaceDir(), 'compare', 'report.html');
    const written = await vscode.commands.executeCommand<string | undefined>('embeddingLens.exportReport', out);
    assert.equal(written, out);
    assert.ok(existsSync(out));
    const html = readFileSync(out, 'utf8');
    assert.match(html, /<script type="application\/json" id="lens-data">\{"title":"(?:[^"\\]|\\.)*","a":\{/, 'the comparison is inlined');
  });

  it('compares a checkpoint with a precomputed .npy of its own embeddings: matched by path, zero deltas', async () => {
    process.env.EMBEDDING_LENS_WORKER_DIR = join(harness().extensionPath, 'dist', 'workers');
    const e = (await computeEmbeddings(modelA, dataset, {})).embeddings;
    const npy = writeWorkspaceFile('compare/tiny-cnn-embeddings.npy', npyBytes(e.vectors, [e.n, e.dim]));
    const a = vscode.Uri.file(modelA);
    const b = vscode.Uri.file(npy);
    const result = (await vscode.commands.executeCommand<ComparisonRun | undefined>('embeddingLens.compare', a, [a, b], {
      dataset,
    })) as Done;
    assert.ok(result && !result.cancelled, 'the comparison ran');
    assert.equal(result.match.by, 'path');
    for (const d of result.data.headline) assert.ok(Math.abs(d.delta) < 1e-12, `${d.key}: ${d.delta}`);
    assert.ok(Array.from(result.data.jaccard).every((j) => j === 1));
    await waitForWebviewTab('embeddingLens.compare');
    await webviewWaitFor('#worse-list', { timeoutMs: 60_000 });
    assert.match(await webviewText('.cmp-cell[data-side="b"] .cmp-cell-head'), /tiny-cnn-embeddings\.npy/);
  });

  it('a checkpoint compared with itself shows zero deltas and Jaccard 1 everywhere', async () => {
    const a = vscode.Uri.file(modelA);
    const result = (await vscode.commands.executeCommand<ComparisonRun | undefined>('embeddingLens.compare', a, [a, a], {
      dataset,
    })) as Done;
    assert.ok(result && !result.cancelled);
    for (const d of [...result.data.headline, ...result.data.eet]) assert.equal(d.delta, 0, d.key);
    for (const c of result.data.classes) for (const m of c.metrics) assert.equal(m.delta, 0, `${c.name} ${m.key}`);
    assert.ok(Array.from(result.data.jaccard).every((j) => j === 1));
    assert.equal(result.data.meanJaccard, 1);
    await waitForWebviewTab('embeddingLens.compare');
    await webviewWaitFor('#worse-list', { timeoutMs: 60_000 });
    assert.equal(await webviewAttribute('#mean-jaccard', 'data-value'), '1');
  });
});
