// Checks the runner bridge itself on a throwaway webview, so a panel test that fails points at
// the panel, not at the plumbing.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { answerQuickInput, runFromPalette, webviewCount, webviewScreenshot, webviewText } from './helpers/runner';
import { waitFor } from './helpers/wait';
import { closeAllEditors, waitForWebviewTab } from './helpers/webview';
import { writeEmbeddings, writeImageFolder, workspaceDir } from './helpers/workspace';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

describe('host harness', () => {
  afterEach(closeAllEditors);

  it("lets a test read a webview panel's DOM through the runner", async () => {
    const panel = vscode.window.createWebviewPanel('embeddingLens.harnessProbe', 'Harness probe', vscode.ViewColumn.One, {});
    const nonce = Math.random().toString(36).slice(2);
    panel.webview.html = `<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none';"></head>
      <body><h1 id="title">probe ${nonce}</h1><ul><li>a</li><li>b</li><li>c</li></ul></body></html>`;
    await waitForWebviewTab('embeddingLens.harnessProbe');
    assert.equal(await webviewText('#title'), `probe ${nonce}`);
    assert.equal(await webviewCount('li'), 3);
    const shot = await webviewScreenshot('harness-probe-webview');
    assert.ok(existsSync(shot), `screenshot written to ${shot}`);
    panel.dispose();
  });

  it('runs a command from the palette the way a user does', async () => {
    await runFromPalette('File: New Untitled Text File');
    const editor = await waitFor(
      'an untitled editor',
      () => vscode.window.activeTextEditor?.document.isUntitled && vscode.window.activeTextEditor,
    );
    assert.equal(editor.document.uri.scheme, 'untitled');
  });

  it('answers an input box the extension opened', async () => {
    const answer = vscode.window.showInputBox({ prompt: 'harness probe' });
    await answerQuickInput('typed by the runner');
    assert.equal(await answer, 'typed by the runner');
  });

  it('generates tiny datasets and embeddings in the workspace', () => {
    const folder = writeImageFolder('data/tiny-imagefolder', { classes: 2, perClass: 3, size: 8 });
    assert.deepEqual(readdirSync(folder).sort(), ['class_0', 'class_1']);
    const png = readFileSync(join(folder, 'class_1', 'img_2.png'));
    assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
    const npy = writeEmbeddings('data/tiny-embeddings', { classes: 2, perClass: 2, dim: 4 });
    const bytes = readFileSync(npy);
    assert.equal(bytes.subarray(1, 6).toString('latin1'), 'NUMPY');
    assert.equal((bytes.length - (10 + bytes.readUInt16LE(8))) / 4, 2 * 2 * 4);
    assert.ok(npy.startsWith(workspaceDir()));
  });
});
