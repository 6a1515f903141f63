// Issue #19 items 2, 3 and 5 as a user lives them: an original and its fine-tune (same file name)
// never read the same in titles, tabs and headers; a dataset with no images is refused before any
// panel opens (no panel left "Waiting for items…"), logged as a warning without a stack; and the
// palette's Inspect offers the workspace's checkpoints in a quick pick instead of a bare dialog.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeProductImages } from '../../../src/demo';
import type { ComparisonRun } from '../../../src/core/compare';
import type { InspectionRun } from '../../../src/core/inspect/pipeline';
import { outputChannelLog } from './helpers/extension';
import { clearNotifications, waitForNotification } from './helpers/notifications';
import { answerQuickInput, harness, screenshot, webviewScreenshot, webviewText, webviewWaitFor } from './helpers/runner';
import { waitFor } from './helpers/wait';
import { closeAllEditors, waitForWebviewTab } from './helpers/webview';
import { workspaceDir } from './helpers/workspace';

function tabLabels(viewType: string): string[] {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
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
  afterEach(async () => {
    await closeAllEditors();
    // A quick input left open by a failed step would take the next suite's answers.
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
  });

  it('Compare names the original and its fine-tune apart in the title and both headers', async () => {
    const run = await vscode.commands.executeCommand<ComparisonRun | undefined>(
      'embeddingLens.compare',
      vscode.Uri.file(original),
      [vscode.Uri.file(original), vscode.Uri.file(tuned)],
      { dataset },
    );
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
    const a = await vscode.commands.executeCommand<InspectionRun | undefined>('embeddingLens.inspect', vscode.Uri.file(original), {
      dataset,
    });
    const b = await vscode.commands.executeCommand<InspectionRun | undefined>('embeddingLens.inspect', vscode.Uri.file(tuned), { dataset });
    assert.ok(a && b);
    const labels = await waitFor('two inspection tabs', () => {
      const l = tabLabels('embeddingLens.inspection');
      return l.length === 2 ? l : undefined;
    });
    labels.sort();
    assert.match(labels[0], /^Embeddings: cnn-eet-1\/cnn\.onnx · /);
    assert.match(labels[1], /^Embeddings: cnn\.onnx · /);
  });

  it('a dataset with no images is refused before a panel opens, as a warning without a stack', async () => {
    const empty = join(workspaceDir(), 'labels', 'no-images');
    mkdirSync(join(empty, 'cats'), { recursive: true });
    writeFileSync(join(empty, 'cats', 'notes.txt'), 'not an image');
    await clearNotifications();
    const run = await vscode.commands.executeCommand<InspectionRun | undefined>('embeddingLens.inspect', vscode.Uri.file(original), {
      dataset: empty,
    });
    assert.equal(run, undefined);
    const text = await waitForNotification(
      'the refusal naming the folder',
      (t) => t.includes('no-images') && t.includes('holds no images'),
    );
    assert.doesNotMatch(text, /\n\s+at /, 'no stack in the notification');
    assert.deepEqual(tabLabels('embeddingLens.inspection'), [], 'no panel was left waiting for items');
    const log = await waitFor('the refusal in the log', () => {
      const t = outputChannelLog();
      return /\[warning\] Inspection failed: .*no-images/.test(t) ? t : undefined;
    });
    const line = log.split('\n').find((l) => /Inspection failed: .*no-images/.test(l))!;
    const after = log
      .slice(log.indexOf(line) + line.length)
      .split('\n')
      .slice(1, 3)
      .join('\n');
    assert.doesNotMatch(after, /^\s+at /m, 'no stack under a user mistake');
  });

  // Deterministic where the first version (dropped in 0e93dd9) hung one full-suite run in three: it
  // typed into whatever quick input was visible, so an answer could land in a quick input an
  // earlier suite left open, or in the checkpoint pick while it was closing instead of the dataset
  // pick after it — which then waited for an answer forever. Each answer now waits for the quick
  // input with its own title, and Enter only once the row it means is the focused one.
  it('Inspect from the palette offers the workspace checkpoints in a quick pick', async () => {
    // Self-contained under --grep: the dataset picker then offers this dataset first (as after any
    // earlier inspection of the checkpoint), so no folder dialog is needed.
    assert.ok(
      await vscode.commands.executeCommand<InspectionRun | undefined>('embeddingLens.inspect', vscode.Uri.file(tuned), { dataset }),
    );
    await closeAllEditors();
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    // No argument: what the palette passes.
    const running = vscode.commands.executeCommand<InspectionRun | undefined>('embeddingLens.inspect');
    // The workspace-relative path (matched on the description) tells the two cnn.onnx files apart;
    // earlier suites leave other *-eet-1 folders.
    const pick = { title: 'Choose a checkpoint', active: 'labels/cnn-eet-1/cnn.onnx' };
    await answerQuickInput('labels/cnn-eet-1/cnn.onnx', { ...pick, accept: false });
    await screenshot('labels-checkpoint-quickpick');
    await answerQuickInput('labels/cnn-eet-1/cnn.onnx', pick);
    // Its dataset picker comes next, the last dataset of this checkpoint first.
    await answerQuickInput('', { title: 'Dataset for cnn.onnx', active: 'big' });
    const run = await running;
    assert.ok(run && !run.cancelled, 'the inspection ran');
    assert.equal(run.data.source.checkpoint, tuned, 'the checkpoint picked in the quick pick');
    assert.equal(run.data.source.dataset, dataset);
    await waitForWebviewTab('embeddingLens.inspection');
  });

  it('the checkpoint quick pick offers Browse…, and closing it backs out of the command', async () => {
    const running = vscode.commands.executeCommand<InspectionRun | undefined>('embeddingLens.inspect');
    await answerQuickInput('Browse', { title: 'Choose a checkpoint', active: 'Browse…', accept: false });
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    assert.equal(await running, undefined, 'no dialog, no panel: the command returned');
  });
});
