// The Fine-tune with EET Loss flow in a real extension host: a tiny demo tfjs checkpoint and a tiny
// demo product dataset are generated into the workspace, the command runs for one epoch, and the
// new checkpoint folder must appear beside the source with the source's bytes untouched.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { availableParallelism } from 'node:os';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { makeProductImages } from '../../../src/demo';
import { makeDemoCheckpoint } from '../../../src/demo/demoModel';
import type { FineTuneResult } from '../../../src/core/train/options';
import {
  answerQuickInput,
  harness,
  screenshot,
  webviewAttribute,
  webviewClick,
  webviewCount,
  webviewScreenshot,
  webviewText,
  webviewWaitFor,
} from './helpers/runner';
import { waitForNotification } from './helpers/notifications';
import { closeAllEditors, waitForWebviewTab } from './helpers/webview';
import { waitFor } from './helpers/wait';
import { outputChannelLog } from './helpers/extension';
import { snapshotTree } from './helpers/hostile';
import { workspaceDir } from './helpers/workspace';

// Small enough for a busy 2-core machine: 16 px images, 6 classes (2 held out), one epoch.
const SETTINGS = { epochs: 1, pk: [3, 4] as [number, number], valFraction: 0.34, maxValItems: 100 };

describe('Fine-tune with EET Loss', function () {
  this.timeout(300_000);
  let modelDir: string;
  let modelJson: string;
  let dataset: string;
  let sourceHashes: Record<string, string>;

  before(async () => {
    modelDir = join(workspaceDir(), 'finetune', 'demo-cnn');
    modelJson = join(await makeDemoCheckpoint(modelDir, { inputSize: 16, dim: 16 }), 'model.json');
    dataset = (await makeProductImages(join(workspaceDir(), 'finetune', 'products'), { classes: 6, perClass: 8, size: 16 })).root;
    sourceHashes = snapshotTree(modelDir);
  });
  afterEach(closeAllEditors);

  it('trains one epoch into a new folder beside the source, shows the run in its panel, and leaves the source unchanged', async () => {
    const result = await vscode.commands.executeCommand<FineTuneResult | undefined>('embeddingLens.fineTune', vscode.Uri.file(modelJson), {
      dataset,
      settings: SETTINGS,
      noPrompt: true,
    });
    assert.ok(result, 'the command returns the engine result');
    assert.equal(result.cancelled, false);
    assert.equal(result.error, undefined);
    assert.equal(result.outDir, `${modelDir}-eet-1`);
    assert.equal(dirname(result.outDir), dirname(modelDir), 'beside the source');
    assert.deepEqual(
      result.history.map((h) => h.epoch),
      [0, 1],
    );
    for (const f of ['model.json', 'embedding-lens.json', 'fine-tune.json']) assert.ok(existsSync(join(result.outDir, f)), `${f} written`);
    assert.ok(
      readdirSync(result.outDir).some((f) => f.endsWith('.bin')),
      'weights written',
    );
    const side = JSON.parse(readFileSync(join(result.outDir, 'embedding-lens.json'), 'utf8'));
    assert.deepEqual(side.inputSize, [16, 16], "the source's preprocessing carried over");
    const record = JSON.parse(readFileSync(join(result.outDir, 'fine-tune.json'), 'utf8'));
    assert.equal(record.complete, true);
    assert.equal(record.settings.epochs, 1);
    assert.deepEqual(record.settings.pk, [3, 4]);
    // The bundled train worker started its two shard threads (wasm backend, 2+ cores).
    if (record.backend === 'wasm') assert.equal(record.trainingThreads, availableParallelism() >= 2 ? 2 : 1);
    assert.deepEqual(snapshotTree(modelDir), sourceHashes, 'source checkpoint bytes unchanged');

    // The panel ran its bundle under the real CSP and got the whole run.
    await waitForWebviewTab('embeddingLens.training');
    await webviewWaitFor('#best-epoch', { timeoutMs: 60_000 });
    assert.equal(await webviewText('#best-epoch'), String(result.best.epoch));
    assert.equal(await webviewText('#out-dir'), result.outDir);
    assert.match(await webviewText('#summary-title'), /Training finished/);
    assert.equal(await webviewCount('#epochs tbody tr'), 2, 'epoch 0 and epoch 1 in the table');
    await webviewScreenshot('finetune-panel');
    assert.match(outputChannelLog(), /Fine-tune finished on \S+: best epoch \d/);
  });

  it('"Compare with the original" scores the held-out classes by default, warns about the small split, and its toggle scores every item', async () => {
    // 6 classes × 8 items, 34% held out: 2 classes (16 items) the fine-tune never trains on.
    const outDir = join(workspaceDir(), 'finetune', 'held-out-run');
    const result = await vscode.commands.executeCommand<FineTuneResult | undefined>('embeddingLens.fineTune', vscode.Uri.file(modelJson), {
      dataset,
      settings: SETTINGS,
      outDir,
      noPrompt: true,
    });
    assert.ok(result && !result.cancelled, 'the fine-tune ran');
    const record = JSON.parse(readFileSync(join(outDir, 'fine-tune.json'), 'utf8'));
    assert.equal(record.validation.trainedClasses.length, 4);
    assert.equal(record.validation.heldOutClasses.length, 2);
    assert.deepEqual(result.validation, { mode: 'class-disjoint', classes: 2, items: 16, totalClasses: 6, totalItems: 48 });
    // Said beside the result: the notification and the panel's curves.
    await waitForNotification(
      'the small-validation warning',
      (t) => /validation of demo-cnn\/model\.json: Only 2 classes, 16 items held out/.test(t),
      60_000,
    );
    await waitForWebviewTab('embeddingLens.training');
    await webviewWaitFor('#best-epoch', { timeoutMs: 60_000 });
    assert.equal(await webviewText('#val-on'), 'validation: 2 held-out classes, 16 items');
    assert.match(await webviewText('#val-warning'), /Only 2 classes, 16 items held out/);

    // The panel's button, clicked as a user would; the dataset picker offers the one trained on first.
    await webviewClick('#compare');
    await answerQuickInput('', { title: 'Dataset for model.json', active: 'products' });
    await waitForWebviewTab('embeddingLens.compare');
    await webviewWaitFor('#cmp-scope-line', { timeoutMs: 120_000 });
    assert.equal(await webviewAttribute('#cmp-scope', 'data-items'), 'held-out');
    assert.equal(
      await webviewText('#cmp-scope-line'),
      'Evaluated on the 2 held-out classes, 16 items — the classes held-out-run never trained on',
    );
    assert.match(await webviewText('#cmp-scope-warning'), /Only 2 classes, 16 items held out .* --validation split/);
    await webviewScreenshot('finetune-compare-held-out');

    await webviewClick('#cmp-items-all');
    await webviewWaitFor('#cmp-scope[data-items="all"]', { timeoutMs: 120_000 });
    assert.equal(await webviewText('#cmp-scope-line'), 'All 48 items — 32 of them seen in training (the classes held-out-run trained on)');
    await webviewScreenshot('finetune-compare-all-items');
    assert.match(outputChannelLog(), /Evaluated on the 2 held-out classes, 16 items/);
    assert.deepEqual(snapshotTree(modelDir), sourceHashes, 'source checkpoint bytes unchanged');
  });

  it('Enter on the settings form starts training with what it shows (the next free -eet-N folder)', async () => {
    const running = vscode.commands.executeCommand<FineTuneResult | undefined>('embeddingLens.fineTune', vscode.Uri.file(modelJson), {
      dataset,
      settings: { ...SETTINGS, seed: 7 },
    });
    // The form's first, active row is "Start training": Enter with nothing typed accepts it.
    await answerQuickInput('', { accept: false });
    await screenshot('finetune-form');
    await answerQuickInput('');
    const result = await running;
    assert.ok(result, 'the command returns the engine result');
    assert.equal(result.outDir, `${modelDir}-eet-2`);
    const record = JSON.parse(readFileSync(join(result.outDir, 'fine-tune.json'), 'utf8'));
    assert.equal(record.settings.seed, 7, 'the settings the form showed');
    assert.equal(record.settings.margin, 0.3, "the user's eet.margin setting (default)");
    assert.deepEqual(snapshotTree(modelDir), sourceHashes, 'source checkpoint bytes unchanged');
  });

  it('a cancelled run keeps the best epoch so far, and the panel and the log say where', async () => {
    const outDir = join(workspaceDir(), 'finetune', 'cancelled-run');
    const stop = new AbortController();
    const running = vscode.commands.executeCommand<FineTuneResult | undefined>('embeddingLens.fineTune', vscode.Uri.file(modelJson), {
      dataset,
      settings: { ...SETTINGS, epochs: 500 },
      outDir,
      noPrompt: true,
      signal: stop.signal,
    });
    // Epoch 0 (the model before training) is validated and written first; cancel once it is on disk.
    await waitFor('the first kept epoch', () => existsSync(join(outDir, 'fine-tune.json')), 120_000);
    stop.abort();
    const result = await running;
    assert.ok(result, 'a cancelled run still returns the engine result');
    assert.equal(result.cancelled, true);
    assert.equal(result.outDir, outDir);
    assert.ok(result.history.length < 501, 'stopped early');
    assert.ok(existsSync(join(outDir, 'model.json')), 'the best epoch so far is a loadable checkpoint');
    assert.equal(JSON.parse(readFileSync(join(outDir, 'fine-tune.json'), 'utf8')).complete, false);
    assert.deepEqual(snapshotTree(modelDir), sourceHashes, 'source checkpoint bytes unchanged');
    await waitForWebviewTab('embeddingLens.training');
    await webviewWaitFor('#out-dir', { timeoutMs: 60_000 });
    assert.match(await webviewText('#summary'), /Training cancelled[\s\S]*The best epoch so far is kept in/);
    assert.equal(await webviewText('#out-dir'), outDir);
    const log = await waitFor('the cancel line in the log', () => {
      const t = outputChannelLog();
      return t.includes('Fine-tune cancelled;') ? t : undefined;
    });
    assert.ok(log.includes(`kept in ${outDir}`));
  });

  it('an ONNX checkpoint trains a head on its frozen features (forced, whatever was asked) into a chained folder', async () => {
    const onnxDir = join(workspaceDir(), 'finetune', 'onnx-src');
    mkdirSync(onnxDir, { recursive: true });
    const onnx = join(onnxDir, 'tiny-cnn.onnx');
    copyFileSync(join(harness().extensionPath, 'test', 'fixtures', 'models', 'tiny-cnn.onnx'), onnx);
    const before = snapshotTree(onnxDir);
    const result = await vscode.commands.executeCommand<FineTuneResult | undefined>('embeddingLens.fineTune', vscode.Uri.file(onnx), {
      dataset,
      settings: { ...SETTINGS, train: 'all' },
      noPrompt: true,
    });
    assert.ok(result, 'the command returns the engine result');
    assert.equal(result.cancelled, false);
    assert.equal(result.outDir, join(onnxDir, 'tiny-cnn-eet-1'));
    assert.deepEqual(readdirSync(result.outDir).sort(), [
      'embedding-lens.json',
      'fine-tune.json',
      'head.json',
      'head.weights.bin',
      'tiny-cnn.onnx',
    ]);
    assert.equal(JSON.parse(readFileSync(join(result.outDir, 'fine-tune.json'), 'utf8')).settings.train, 'head');
    assert.deepEqual(
      Object.fromEntries(Object.entries(snapshotTree(onnxDir)).filter(([f]) => !f.startsWith('tiny-cnn-eet-1'))),
      before,
      'source bytes unchanged',
    );
  });
});
