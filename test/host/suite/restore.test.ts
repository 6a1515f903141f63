// Panels come back after a window reload through the serializers the extension registers. The
// test's extension host cannot reload its own window, so it calls what VS Code would call (the
// extension API's restorePanel, the very functions registered as serializers) on a fresh panel of
// each view type, with the state its webview would have saved.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeProductImages } from '../../../src/demo';
import { makeDemoCheckpoint } from '../../../src/demo/demoModel';
import type { FineTuneResult } from '../../../src/core/train/options';
import type { EmbeddingLensApi } from '../../../src/extension';
import { activeExtension } from './helpers/extension';
import { webviewAttribute, webviewCount, webviewText, webviewWaitFor } from './helpers/runner';
import { closeAllEditors, waitForWebviewTab } from './helpers/webview';
import { workspaceDir } from './helpers/workspace';

/** A bare panel of `viewType`, as VS Code creates one before asking the serializer to fill it. */
function blankPanel(viewType: string): vscode.WebviewPanel {
  return vscode.window.createWebviewPanel(viewType, 'Restoring…', vscode.ViewColumn.Active, { enableScripts: true });
}

async function api(): Promise<EmbeddingLensApi> {
  return (await activeExtension()).exports as EmbeddingLensApi;
}

describe('Panels restored after a reload', function () {
  this.timeout(300_000);
  afterEach(closeAllEditors);

  it('a fine-tune panel comes back showing the finished run this extension host still holds', async () => {
    const modelDir = join(workspaceDir(), 'restore', 'demo-cnn');
    const modelJson = join(await makeDemoCheckpoint(modelDir, { inputSize: 16, dim: 16 }), 'model.json');
    const dataset = (await makeProductImages(join(workspaceDir(), 'restore', 'products'), { classes: 4, perClass: 6, size: 16 })).root;
    const outDir = join(workspaceDir(), 'restore', 'run');
    const result = await vscode.commands.executeCommand<FineTuneResult | undefined>('embeddingLens.fineTune', vscode.Uri.file(modelJson), {
      dataset,
      settings: { epochs: 1, pk: [2, 3], valFraction: 0.5, maxValItems: 100 },
      outDir,
      noPrompt: true,
    });
    assert.ok(result && !result.cancelled && !result.error, 'the fine-tune ran');
    await closeAllEditors();

    await (await api()).restorePanel('embeddingLens.training', blankPanel('embeddingLens.training'), { checkpoint: modelJson, outDir });
    await waitForWebviewTab('embeddingLens.training');
    await webviewWaitFor('#best-epoch', { timeoutMs: 60_000 });
    assert.equal(await webviewText('#best-epoch'), String(result.best.epoch));
    assert.equal(await webviewText('#out-dir'), outDir);
    assert.match(await webviewText('#summary-title'), /Training finished/);
    assert.equal(await webviewCount('#epochs tbody tr'), 2, 'epoch 0 and epoch 1, from the kept run');
  });

  it('a fine-tune panel whose run this extension host does not hold says where its output folder is, under a CSP', async () => {
    const outDir = join(workspaceDir(), 'restore', 'earlier-window-run');
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, 'fine-tune.json'), '{}');
    await (
      await api()
    ).restorePanel('embeddingLens.training', blankPanel('embeddingLens.training'), { checkpoint: '/m/model.json', outDir });
    const text = await webviewText('p');
    assert.match(text, /ran before the window was reloaded/);
    assert.ok(text.includes(`Its output folder is ${outDir}`), text);
    assert.match((await webviewAttribute('meta[http-equiv="Content-Security-Policy"]', 'content')) ?? '', /default-src 'none'/);
  });

  it('a panel whose saved state is not its kind says it could not be restored', async () => {
    // A compare panel's state names both sides; an inspection's saved state with a bad field is refused.
    await (await api()).restorePanel('embeddingLens.inspection', blankPanel('embeddingLens.inspection'), { tab: 'terminal' });
    assert.match(await webviewText('p'), /could not be restored: it did not record what it showed/);
    await closeAllEditors();
    await (
      await api()
    ).restorePanel('embeddingLens.compare', blankPanel('embeddingLens.compare'), {
      tab: 'neighbours',
      hiddenClasses: [],
      isolatedClass: null,
      selection: [],
      search: '',
      queryIndex: null,
      k: 10,
      source: { checkpoint: '/a', dataset: '' },
    });
    assert.match(await webviewText('p'), /could not be restored: it did not record what it compared/);
    await closeAllEditors();
    await (await api()).restorePanel('embeddingLens.training', blankPanel('embeddingLens.training'), { checkpoint: 7 });
    assert.match(await webviewText('p'), /could not be restored: it did not record which run it showed/);
  });
});
