// Inspect Embeddings in a real extension host: an ONNX checkpoint (the repo's tiny fixture) on a
// generated product-image folder. The command's result must equal the engine run on its own, the
// panel must show the same counts and metrics, and bad input must end in a clear error with VS Code
// still responsive.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeProductImages } from '../../../src/demo';
import { computeEmbeddings } from '../../../src/core/embed';
import { retrievalMetrics } from '../../../src/core/retrieval/metrics';
import type { InspectionRun } from '../../../src/core/inspect/pipeline';
import { answerQuickInput, screenshot, webviewClick, webviewScreenshot, webviewText, webviewWaitFor } from './helpers/runner';
import { clearNotifications, waitForNotification } from './helpers/notifications';
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

  it("shows the item and class counts and the engine's metrics in the panel", async () => {
    const run = await vscode.commands.executeCommand<InspectionRun | undefined>('embeddingLens.inspect', vscode.Uri.file(onnx), {
      dataset,
    });
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
    for (const r of d.metrics!.recallAtK)
      assert.ok(Math.abs(r.value - (report.overall[`recall@${r.k}`] as number)) < 1e-9, `recall@${r.k}`);
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

  it('asks which output is the embedding when two are equally plausible, and remembers the answer in embedding-lens.json', async () => {
    const dir = join(workspaceDir(), 'inspect', 'twin');
    mkdirSync(dir, { recursive: true });
    const twin = join(dir, 'twin-heads.onnx');
    copyFileSync(join(harness().extensionPath, 'test/fixtures/models/twin-heads.onnx'), twin);
    await clearNotifications();
    const first = await vscode.commands.executeCommand<InspectionRun | undefined>('embeddingLens.inspect', vscode.Uri.file(twin), {
      dataset,
    });
    assert.ok(first && !first.cancelled);
    assert.equal(first.embedding?.model?.outputName, 'head_a', 'the first of the tie is taken');
    assert.deepEqual(
      first.embedding?.model?.outputCandidates?.map((c) => c.name),
      ['head_a', 'head_b'],
    );
    assert.ok(
      first.data.notes?.some((n) => /"head_b" is as plausible/.test(n)),
      'the header says the choice was a tie',
    );
    await waitForNotification(
      'the offer to choose',
      (t) => /2 equally plausible embedding outputs \("head_a", "head_b"\); "head_a" was used/.test(t),
      60_000,
    );
    // The notification's "Choose Output…" runs this command (buttons cannot be clicked from a test).
    const chosen = vscode.commands.executeCommand<InspectionRun | undefined>('embeddingLens.chooseOutput');
    await answerQuickInput('head_b', { title: 'Which output of twin-heads.onnx is the embedding?', active: 'head_b' });
    await answerQuickInput('Remember', {
      title: 'Use "head_b" as the embedding of twin-heads.onnx',
      active: 'Remember in embedding-lens.json',
    });
    const second = await chosen;
    assert.ok(second && !second.cancelled, 'the inspection ran again with the chosen output');
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'embedding-lens.json'), 'utf8')), { output: { name: 'head_b' } });
    assert.equal(second.embedding?.model?.outputName, 'head_b');
    assert.equal(second.embedding?.model?.outputCandidates, undefined, 'named now: nothing left to choose');
    assert.notDeepEqual(Array.from(second.embeddings!.vectors.slice(0, 5)), Array.from(first.embeddings!.vectors.slice(0, 5)));
  });

  it('reports a folder with no images clearly and stays responsive', async () => {
    const empty = join(workspaceDir(), 'inspect', 'no-images');
    mkdirSync(join(empty, 'cats'), { recursive: true });
    writeFileSync(join(empty, 'cats', 'notes.txt'), 'not an image');
    const run = await vscode.commands.executeCommand<InspectionRun | undefined>('embeddingLens.inspect', vscode.Uri.file(onnx), {
      dataset: empty,
    });
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
    await waitFor(
      'the corrupt model named in the log',
      () => /Inspection failed[^\n]*\n?[^\n]*corrupt\.onnx/.test(outputChannelLog()) || undefined,
    );
  });

  it('Export → Map as PNG writes the figure where the user saves it and says "saved" with Open / Reveal', async () => {
    const run = await vscode.commands.executeCommand<InspectionRun | undefined>('embeddingLens.inspect', vscode.Uri.file(onnx), {
      dataset,
    });
    assert.ok(run && !run.cancelled);
    await waitForWebviewTab(VIEW_TYPE);
    await webviewWaitFor('.metric[data-metric="MAP@R"]', { timeoutMs: 60_000 });
    await clearNotifications();
    // The dialog's own proposal (workspace root, named after the checkpoint): typing it again is
    // immune to the simple file dialog filling its input in after it shows.
    const target = join(workspaceDir(), 'inspect-tiny-cnn-map.png');
    await webviewClick('.export > summary');
    await webviewClick('.menu-item:has-text("Map as PNG")');
    await answerQuickInput(target, { title: 'Export map as PNG' });
    const note = await waitForNotification('the saved notice', (t) => t.includes('Map image saved'), 60_000);
    assert.ok(note.includes(target), note);
    const png = readFileSync(target);
    assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
    await screenshot('inspect-export-saved-notice');
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
