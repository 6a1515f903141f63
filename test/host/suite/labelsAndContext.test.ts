// Issue #19 items 2 and 3 as a user lives them: an original and its fine-tune (same file name)
// never read the same in titles, tabs and headers; a dataset with no images is refused before any
// panel opens (no panel left "Waiting for items…"), logged as a warning without a stack.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeProductImages } from '../../../src/core/demo';
import type { ComparisonRun } from '../../../src/core/compare';
import type { InspectionRun } from '../../../src/core/inspect/pipeline';
import { outputChannelLog } from './helpers/extension';
import { clearNotifications, waitForNotification } from './helpers/notifications';
import { harness, webviewScreenshot, webviewText, webviewWaitFor } from './helpers/runner';
import { waitFor } from './helpers/wait';
import { closeAllEditors, waitForWebviewTab } from './helpers/webview';
import { workspaceDir } from './helpers/workspace';

function tabLabels(viewType: string): string[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs)
    .filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith(viewType))
    .map((t) => t.label);
}

describe('Labels and context (#19)', function () {
  this.timeout(300_000);
  let original: string;
  let tuned: string;
  let dataset: string;

  before(async () => {
    const dir = join(workspaceDir(), 'labels');
    mkdirSync(join(dir, 'cnn-eet-1'), { recursive: true });
    original = join(dir, 'cnn.onnx');
    tuned = join(dir, 'cnn-eet-1', 'cnn.onnx');
    const fixture = join(harness().extensionPath, 'test/fixtures/models/tiny-cnn.onnx');
    copyFileSync(fixture, original);
    copyFileSync(fixture, tuned);
    dataset = (await makeProductImages(join(dir, 'big'), { classes: 3, perClass: 6, size: 32 })).root;
  });
  afterEach(closeAllEditors);

  it('Compare names the original and its fine-tune apart in the title and both headers', async () => {
    const run = await vscode.commands.executeCommand<ComparisonRun | undefined>('embeddingLens.compare', vscode.Uri.file(original), [vscode.Uri.file(original), vscode.Uri.file(tuned)], { dataset });
    assert.ok(run && !run.cancelled, 'the comparison finished');
    assert.match(run.data.title, /^cnn\.onnx vs cnn-eet-1\/cnn\.onnx · /);
    await waitForWebviewTab('embeddingLens.compare');
    assert.deepEqual(tabLabels('embeddingLens.compare'), ['Compare: cnn.onnx vs cnn-eet-1/cnn.onnx']);
    await webviewWaitFor('.cmp-side-name', { timeoutMs: 60_000 });
    const meta = await webviewText('.meta');
    assert.match(meta, /A\s*cnn\.onnx/);
    assert.match(meta, /B\s*cnn-eet-1\/cnn\.onnx/);
    await webviewScreenshot('labels-compare-header', '.header-top');
  });

  it('two Inspect tabs of same-named checkpoints on one dataset read differently', async () => {
    const a = await vscode.commands.executeCommand<InspectionRun | undefined>('embeddingLens.inspect', vscode.Uri.file(original), { dataset });
    const b = await vscode.commands.executeCommand<InspectionRun | undefined>('embeddingLens.inspect', vscode.Uri.file(tuned), { dataset });
    assert.ok(a && b);
    const labels = await waitFor('two inspection tabs', () => { const l = tabLabels('embeddingLens.inspection'); return l.length === 2 ? l : undefined; });
    labels.sort();
    assert.match(labels[0], /^Embeddings: cnn-eet-1\/cnn\.onnx · /);
    assert.match(labels[1], /^Embeddings: cnn\.onnx · /);
  });

  it('a dataset with no images is refused before a panel opens, as a warning without a stack', async () => {
    const empty = join(workspaceDir(), 'labels', 'no-images');
    mkdirSync(join(empty, 'cats'), { recursive: true });
    writeFileSync(join(empty, 'cats', 'notes.txt'), 'not an image');
    await clearNotifications();
    const run = await vscode.commands.executeCommand<InspectionRun | undefined>('embeddingLens.inspect', vscode.Uri.file(original), { dataset: empty });
    assert.equal(run, undefined);
    const text = await waitForNotification('the refusal naming the folder', (t) => t.includes('no-images') && t.includes('holds no images'));
    assert.doesNotMatch(text, /\n\s+at /, 'no stack in the notification');
    assert.deepEqual(tabLabels('embeddingLens.inspection'), [], 'no panel was left waiting for items');
    const log = await waitFor('the refusal in the log', () => { const t = outputChannelLog(); return /\[warning\] Inspection failed: .*no-images/.test(t) ? t : undefined; });
    const line = log.split('\n').find((l) => /Inspection failed: .*no-images/.test(l))!;
    const after = log.slice(log.indexOf(line) + line.length).split('\n').slice(1, 3).join('\n');
    assert.doesNotMatch(after, /^\s+at /m, 'no stack under a user mistake');
  });
});
