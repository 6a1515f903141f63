// Inspect Embeddings in a real extension host: an ONNX checkpoint (the repo's tiny fixture) on a
// generated product-image folder. The command's result must equal the engine run on its own, the
// panel must show the same counts and metrics, and bad input must end in a clear error with VS Code
// still responsive.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeProductImages } from '../../../src/demo';
import { computeEmbeddings } from '../../../src/core/embed';
import { retrievalMetrics } from '../../../src/core/retrieval/metrics';
import type { InspectionRun } from '../../../src/core/inspect/pipeline';
import { webviewScreenshot, webviewText, webviewWaitFor } from './helpers/runner';
import { closeAllEditors, waitForWebviewTab } from './helpers/webview';
import { outputChannelLog } from './helpers/extension';
import { waitFor } from './helpers/wait';
import { harness } from './helpers/runner';
import { workspaceDir } from './helpers/workspace';

const VIEW_TYPE = 'embeddingLens.inspection';

describe('Inspect Embeddings', function () {
  this.timeout(300_000);
  let onnx: string;
  let dataset: string;

  before(async () => {
    const dir = join(workspaceDir(), 'inspect');
    mkdirSync(dir, { recursive: true });
    onnx = join(dir, 'tiny-cnn.onnx');
    copyFileSync(join(harness().extensionPath, 'test/fixtures/models/tiny-cnn.onnx'), onnx);
    dataset = (await makeProductImages(join(dir, 'products'), { classes: 4, perClass: 10, size: 32 })).root;
  });
  afterEach(closeAllEditors);

  it('shows the item and class counts and the engine\'s metrics in the panel', async () => {
    const run = await vscode.commands.executeCommand<InspectionRun | undefined>('embeddingLens.inspect', vscode.Uri.file(onnx), { dataset });
    assert.ok(run, 'the command returns the inspection');
    assert.equal(run.cancelled, false);
    const d = run.data;
    assert.equal(d.items?.n, 40);
    assert.equal(d.items?.classNames.length, 4);
    assert.ok(d.layout?.pca && d.layout.umap, 'both layouts computed');
    assert.equal(d.layout.umap.length, 80);
    assert.ok(d.eet && Number.isFinite(d.eet.terms.total.mean), 'EET breakdown computed');

    // The engine on its own, without the extension, from scratch (no cache). This bundle is not
    // in dist/, so it is told where the built worker entries are.
    process.env.EMBEDDING_LENS_WORKER_DIR = join(harness().extensionPath, 'dist', 'workers');
    const own = await computeEmbeddings(onnx, dataset, {});
    const e = own.embeddings;
    const report = await retrievalMetrics(e.vectors, e.n, e.dim, e.labels, { ks: [1, 2, 4, 8] });
    for (const r of d.metrics!.recallAtK) assert.ok(Math.abs(r.value - (report.overall[`recall@${r.k}`] as number)) < 1e-9, `recall@${r.k}`);
    assert.ok(Math.abs(d.metrics!.mapAtR - (report.overall['map@r'] as number)) < 1e-9, 'map@r');

    await waitForWebviewTab(VIEW_TYPE);
    await webviewWaitFor('.metric[data-metric="R@1"] .metric-value', { timeoutMs: 60_000 });
    const r1 = await webviewText('.metric[data-metric="R@1"] .metric-value');
    assert.equal(r1, (report.overall['recall@1'] as number).toFixed(3));
    const meta = await webviewText('.lens-header .meta');
    assert.match(meta, /items\s*40/);
    assert.match(meta, /classes\s*4/);
    await webviewScreenshot('inspect-panel');
    const log = await waitFor('the inspection in the log', () => {
      const t = outputChannelLog();
      return t.includes('Inspection finished') ? t : undefined;
    });
    assert.match(log, /backend: onnxruntime-cpu/);
  });

  it('reports a folder with no images clearly and stays responsive', async () => {
    const empty = join(workspaceDir(), 'inspect', 'no-images');
    mkdirSync(join(empty, 'cats'), { recursive: true });
    writeFileSync(join(empty, 'cats', 'notes.txt'), 'not an image');
    const run = await vscode.commands.executeCommand<InspectionRun | undefined>('embeddingLens.inspect', vscode.Uri.file(onnx), { dataset: empty });
    assert.equal(run, undefined, 'no inspection result');
    const log = await waitFor('the failure in the log', () => {
      const t = outputChannelLog();
      return /Inspection failed.*no-images/s.test(t) ? t : undefined;
    });
    assert.match(log, /no-images/);
    // Still responsive: a command round trip completes at once.
    const cmds = await vscode.commands.getCommands(true);
    assert.ok(cmds.includes('embeddingLens.inspect'));
  });

  it('names the file of a corrupt model in its error', async () => {
    const bad = join(workspaceDir(), 'inspect', 'corrupt.onnx');
    writeFileSync(bad, Buffer.from('this is not a protobuf model at all'));
    const run = await vscode.commands.executeCommand<InspectionRun | undefined>('embeddingLens.inspect', vscode.Uri.file(bad), { dataset });
    assert.equal(run, undefined);
    await waitFor('the corrupt model named in the log', () => /Inspection failed[^\n]*\n?[^\n]*corrupt\.onnx/.test(outputChannelLog()) || undefined);
  });

  it('cancelling mid-way keeps a usable panel with what was done and says so', async () => {
    const controller = new AbortController();
    // Cancel as the metrics stage lands, as the Cancel button would: UMAP must never run.
    const run = await vscode.commands.executeCommand<InspectionRun | undefined>('embeddingLens.inspect', vscode.Uri.file(onnx), {
      dataset,
      signal: controller.signal,
      onStage: (stage: string) => stage === 'metrics' && controller.abort(),
    });
    assert.ok(run, 'a cancelled inspection still returns what it has');
    assert.equal(run.cancelled, true);
    assert.equal(run.data.items?.n, 40, 'the embeddings stage was kept');
    assert.equal(run.data.layout?.umap, undefined, 'UMAP never ran');
    await waitForWebviewTab(VIEW_TYPE);
    const meta = await webviewText('.lens-header .meta', { timeoutMs: 60_000 });
    assert.match(meta, /items\s*40/, 'the panel shows what was done');
    await waitFor('the cancellation in the log', () => outputChannelLog().includes('Inspection cancelled') || undefined);
    assert.ok((await vscode.commands.getCommands(true)).includes('embeddingLens.inspect'), 'VS Code responsive');
  });
});
