// The fine-tune settings list as a user drives it: after a value is edited, the list comes back with
// "Start training" focused, so the next Enter starts (it used to reopen the edited row). Escape then
// leaves without training anything.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { join } from 'node:path';
import { makeProductImages } from '../../../src/demo';
import { makeDemoCheckpoint } from '../../../src/demo/demoModel';
import type { FineTuneResult } from '../../../src/core/train/options';
import { answerQuickInput } from './helpers/runner';
import { closeAllEditors } from './helpers/webview';
import { workspaceDir } from './helpers/workspace';

describe('Fine-tune settings list', function () {
  this.timeout(180_000);
  let modelJson: string;
  let dataset: string;

  before(async () => {
    modelJson = join(await makeDemoCheckpoint(join(workspaceDir(), 'finetune-form', 'demo-cnn'), { inputSize: 16, dim: 16 }), 'model.json');
    dataset = (await makeProductImages(join(workspaceDir(), 'finetune-form', 'products'), { classes: 4, perClass: 4, size: 16 })).root;
  });
  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    await closeAllEditors();
  });

  it('after editing a value the list comes back with "Start training" focused (so Enter starts), showing the new value', async () => {
    const title = 'Fine-tune demo-cnn/model.json with EET loss';
    const running = vscode.commands.executeCommand<FineTuneResult | undefined>('embeddingLens.fineTune', vscode.Uri.file(modelJson), {
      dataset,
    });
    // Choose the Epochs row (typing filters the list to it), enter a new value…
    await answerQuickInput('Epochs', { title, active: 'Epochs' });
    await answerQuickInput('3', { title: `${title}: Epochs` });
    // …and the list is back with Start training focused, showing the new value.
    await answerQuickInput('', { title, active: 'Start training', accept: false });
    await answerQuickInput('', { title, row: '3 epochs', accept: false });
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    assert.equal(await running, undefined, 'Escape leaves without training');
  });
});
