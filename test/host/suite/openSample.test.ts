// Issue #19 item 7 as a user who installed the .vsix lives it: "Embedding Lens: Open Sample" from
// the palette asks for a folder, makes the demo's checkpoint and datasets in a new subfolder of it
// (never in the folder itself), and the getting-started walkthrough leads through Open Sample,
// Inspect, Fine-tune, Compare and Report. The only thing answered for the user is the folder
// dialog: code-server shows showOpenDialog as its simple file dialog (a quick input taking a
// path), which the runner types into — the dialog itself and everything after it are real.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InspectionRun } from '../../../src/core/inspect/pipeline';
import type { SampleResult } from '../../../src/commands/openSample';
import { activeExtension, manifest, outputChannelLog } from './helpers/extension';
import { clearNotifications, waitForNotification } from './helpers/notifications';
import { answerQuickInput, harness, runFromPalette, screenshot } from './helpers/runner';
import { closeAllEditors, waitForWebviewTab } from './helpers/webview';

interface WalkthroughStep {
  id: string;
  title: string;
  description: string;
  media: { markdown?: string; image?: string };
  completionEvents?: string[];
}
interface Walkthrough {
  id: string;
  title: string;
  steps: WalkthroughStep[];
}

function walkthroughs(): Walkthrough[] {
  return (manifest().contributes as unknown as { walkthroughs?: Walkthrough[] }).walkthroughs ?? [];
}

describe('Open Sample and the walkthrough (#19 item 7)', function () {
  this.timeout(300_000);
  let parent: string;
  // A folder of the user's inside it (the folder dialog lists folders only).
  const marker = 'my-notes';

  before(async () => {
    await activeExtension();
    // A folder of the user's, outside the workspace, that already holds something: the sample
    // must go into a new subfolder and leave it alone.
    parent = mkdtempSync(join(tmpdir(), 'lens-open-sample-'));
    mkdirSync(join(parent, marker));
    writeFileSync(join(parent, marker, 'notes.txt'), 'mine');
  });
  after(() => rmSync(parent, { recursive: true, force: true }));
  afterEach(async () => {
    await closeAllEditors();
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
  });

  it('contributes "Open Sample" to the palette and registers it', async () => {
    const cmd = manifest().contributes.commands.find((c) => c.command === 'embeddingLens.openSample') as
      { title: string; category?: string } | undefined;
    assert.ok(cmd, 'embeddingLens.openSample is contributed');
    assert.equal(`${cmd.category}: ${cmd.title}`, 'Embedding Lens: Open Sample');
    const hidden = (
      (manifest().contributes as unknown as { menus?: { commandPalette?: { command: string; when?: string }[] } }).menus?.commandPalette ??
      []
    ).find((m) => m.command === 'embeddingLens.openSample');
    assert.equal(hidden, undefined, 'no "when" keeps it out of the palette: it works before any folder is open');
    assert.ok((await vscode.commands.getCommands(true)).includes('embeddingLens.openSample'));
  });

  it('contributes a walkthrough whose steps run Open Sample, Inspect, Fine-tune, Compare and Report', async () => {
    const [walk] = walkthroughs();
    assert.ok(walk, 'a walkthrough is contributed');
    const commands = walk.steps.map((s) => s.completionEvents?.map((e) => e.replace(/^onCommand:/, '')) ?? []);
    assert.deepEqual(commands, [
      ['embeddingLens.openSample'],
      ['embeddingLens.inspect'],
      ['embeddingLens.fineTune'],
      ['embeddingLens.compare'],
      ['embeddingLens.exportReport'],
    ]);
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const [i, step] of walk.steps.entries()) {
      const command = commands[i][0];
      assert.ok(registered.has(command), `${command} is registered`);
      assert.ok(step.description.includes(`(command:${command})`), `step "${step.title}" has a button that runs ${command}`);
      const media = step.media.markdown ?? step.media.image;
      assert.ok(media, `step "${step.title}" has media`);
      const file = join(harness().extensionPath, media);
      assert.ok(existsSync(file), `${media} ships with the extension`);
      if (step.media.markdown) {
        // Images a step's markdown shows must ship too (relative to the markdown file).
        for (const m of readFileSync(file, 'utf8').matchAll(/!\[[^\]]*\]\(([^)\s]+)\)/g)) {
          assert.ok(existsSync(join(file, '..', m[1])), `${media} shows ${m[1]}, which exists`);
        }
      }
    }
    // VS Code accepts it: the walkthrough opens (a screenshot for the README's readers).
    await vscode.commands.executeCommand('workbench.action.openWalkthrough', `${harness().extensionId}#${walk.id}`, false);
    await screenshot('walkthrough');
  });

  it('from the palette, asks for a folder and makes the sample in a new subfolder of it', async () => {
    await clearNotifications();
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    await runFromPalette('Embedding Lens: Open Sample');
    // The folder dialog, answered as a user types a path into it: with the trailing "/" the dialog
    // lists that folder (its subfolder shows), and Enter then picks the folder itself.
    await answerQuickInput(`${parent}/`, { title: 'where should the sample go', accept: false });
    await screenshot('open-sample-dialog');
    await answerQuickInput(`${parent}/`, { title: 'where should the sample go', row: marker });
    const sample = join(parent, 'embedding-lens-sample');
    const text = await waitForNotification(
      'the sample is ready',
      (t) => t.includes('the sample is ready in') && t.includes(sample),
      120_000,
    );
    assert.match(text, /dataset-held-out/);
    await vscode.commands.executeCommand('notifications.showList');
    await screenshot('open-sample-ready');
    await vscode.commands.executeCommand('notifications.hideList');
    assert.deepEqual(readdirSync(parent).sort(), ['embedding-lens-sample', marker], 'only the new subfolder was added');
    assert.equal(readFileSync(join(parent, marker, 'notes.txt'), 'utf8'), 'mine');
    assert.ok(existsSync(join(sample, 'checkpoint', 'model.json')), 'the demo checkpoint');
    assert.ok(existsSync(join(sample, 'checkpoint', 'embedding-lens.json')));
    assert.equal(readdirSync(join(sample, 'dataset-held-out')).filter((n) => !n.startsWith('.')).length, 8, '8 held-out classes');
    assert.equal(readdirSync(join(sample, 'dataset-train')).filter((n) => !n.startsWith('.')).length, 12, '12 trained classes');
    assert.match(readFileSync(join(sample, 'README.md'), 'utf8'), /Inspect Embeddings/);
    assert.match(outputChannelLog(), /Open Sample: ready in /);
  });

  it('a second sample goes into embedding-lens-sample-2, and Inspect offers its held-out classes first', async () => {
    const first = join(parent, 'embedding-lens-sample');
    const before = readFileSync(join(first, 'checkpoint', 'model.json'));
    // The folder passed as the argument (what the dialog answered above).
    const sample = await vscode.commands.executeCommand<SampleResult | undefined>('embeddingLens.openSample', vscode.Uri.file(parent));
    assert.ok(sample, 'the command returns the sample');
    assert.equal(sample.out, join(parent, 'embedding-lens-sample-2'));
    assert.deepEqual(readFileSync(join(first, 'checkpoint', 'model.json')), before, 'the first sample is untouched');
    // Inspect on the sample's checkpoint: the dataset picker's first choice is dataset-held-out.
    const running = vscode.commands.executeCommand<InspectionRun | undefined>('embeddingLens.inspect', vscode.Uri.file(sample.checkpoint));
    await answerQuickInput('', { title: 'Dataset for model.json', active: 'dataset-held-out' });
    const run = await running;
    assert.ok(run && !run.cancelled, 'the inspection ran');
    assert.equal(run.data.source.dataset, sample.heldOut.root);
    assert.equal(run.embeddings?.n, sample.heldOut.count);
    await waitForWebviewTab('embeddingLens.inspection');
  });

  it('a cancelled sample leaves no folder behind', async () => {
    const controller = new AbortController();
    controller.abort(); // as the notification's Cancel button does, before the first image is drawn
    const sample = await vscode.commands.executeCommand<SampleResult | undefined>('embeddingLens.openSample', vscode.Uri.file(parent), {
      signal: controller.signal,
    });
    assert.equal(sample, undefined);
    assert.deepEqual(
      readdirSync(parent).sort(),
      ['embedding-lens-sample', 'embedding-lens-sample-2', marker],
      'no embedding-lens-sample-3 left',
    );
    assert.match(outputChannelLog(), /Open Sample: cancelled/);
  });
});
