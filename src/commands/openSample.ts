import * as vscode from 'vscode';
import { rm } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import { homedir } from 'node:os';
import { DEMO_DEFAULTS, makeDemoInputs, type DemoInputs } from '../demo/run';
import { assertDemoOwned, recordDemoPath } from '../demo/atomicDir';
import { isCancelled } from '../core/errors';
import { assertWritableFolder, writeFileAtomic } from '../core/io/outputs';
import { lstatOrUndefined } from '../core/util/paths';
import { log } from '../host/log';
import { rememberDataset } from '../host/pickers';
import { withEngineProgress } from '../host/progress';
import { logFailure } from './logFailure';

/** The subfolder the sample goes into; `-2`, `-3`, … when an earlier sample (or anything else) has the name. */
export const SAMPLE_FOLDER = 'embedding-lens-sample';
const SAMPLE_README = 'README.md';
const INSPECT = 'Inspect Embeddings';
const OPEN_FOLDER = 'Open Folder';
const ADD_TO_WORKSPACE = 'Add to Workspace';

/** Programmatic options (tests, other commands). */
export interface OpenSampleArgs {
  /** Cancels like the notification's Cancel button. */
  signal?: AbortSignal;
}

export interface SampleResult extends DemoInputs {
  /** The sample's short guide, written beside the checkpoint and datasets. */
  readme: string;
}

/**
 * "Embedding Lens: Open Sample": asks for a folder and makes, in a new subfolder of it, the demo's
 * inputs — the same code as `npm run demo` / `embedding-lens demo` (src/demo): an untrained CNN
 * checkpoint, the trained classes and the held-out classes. The user then runs Inspect, Fine-tune
 * and Compare on it (the walkthrough's steps). Always a new subfolder: the demo refuses folders it
 * did not make, and a user's folder is never written into. `arg` (a folder Uri) skips the dialog.
 * Returns the sample (undefined when the user backed out or cancelled).
 */
export async function run(context: vscode.ExtensionContext, arg?: unknown, extra?: unknown): Promise<SampleResult | undefined> {
  const parent = arg instanceof vscode.Uri ? arg : await pickParentFolder();
  if (!parent) return undefined;
  if (parent.scheme !== 'file') {
    void vscode.window.showErrorMessage(
      `Embedding Lens: the sample is written with the file system; ${parent.toString()} is not a local folder.`,
    );
    return undefined;
  }
  const target = freeSampleFolder(parent.fsPath);
  log.info(`Open Sample: generating the demo checkpoint and datasets into ${target}`);
  let sample: SampleResult;
  try {
    await assertWritableFolder(parent.fsPath, target);
    sample = await withEngineProgress('Embedding Lens: creating the sample', async (cancelled, report) => {
      const given = (extra as OpenSampleArgs | undefined)?.signal;
      const signal = given ? AbortSignal.any([cancelled, given]) : cancelled;
      const inputs = await makeDemoInputs(
        {
          out: target,
          source: 'products',
          perClass: DEMO_DEFAULTS.perClass,
          heldOutPerClass: DEMO_DEFAULTS.heldOutPerClass,
          seed: DEMO_DEFAULTS.seed,
        },
        { signal, onProgress: report, onStage: (s) => log.info(`  ${s}`), onLine: (s) => log.info(`  ${s}`) },
      );
      const readme = join(inputs.out, SAMPLE_README);
      await writeFileAtomic(readme, sampleReadme(inputs));
      await recordDemoPath(inputs.out, SAMPLE_README);
      return { ...inputs, readme };
    });
  } catch (err) {
    await removeUnfinished(target);
    if (isCancelled(err)) {
      log.info('Open Sample: cancelled; the unfinished sample folder was removed');
      return undefined;
    }
    logFailure('Open Sample failed', err);
    void vscode.window
      .showErrorMessage(`Embedding Lens: the sample could not be created: ${(err as Error).message}`, 'Show Log')
      .then((c) => c && log.show());
    return undefined;
  }
  log.info(
    `Open Sample: ready in ${sample.out} (checkpoint ${sample.checkpoint}; ${sample.trained.count} trained and ${sample.heldOut.count} held-out images)`,
  );
  // Inspect on the sample's checkpoint offers the held-out classes first: the set it is judged on.
  await rememberDataset(context, vscode.Uri.file(sample.checkpoint), vscode.Uri.file(sample.heldOut.root));
  offerNextSteps(sample);
  return sample;
}

async function pickParentFolder(): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showOpenDialog({
    title: `Embedding Lens: where should the sample go? (a new folder "${SAMPLE_FOLDER}" is made inside the one you choose)`,
    openLabel: 'Create the Sample Here',
    canSelectFiles: false,
    canSelectFolders: true,
    canSelectMany: false,
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(homedir()),
  });
  return picked?.[0];
}

/** The first of embedding-lens-sample, embedding-lens-sample-2, … that does not exist yet. */
function freeSampleFolder(parent: string): string {
  for (let i = 1; ; i++) {
    const candidate = join(parent, i === 1 ? SAMPLE_FOLDER : `${SAMPLE_FOLDER}-${i}`);
    if (!lstatOrUndefined(candidate)) return candidate;
  }
}

/**
 * A cancelled or failed sample leaves no half folder behind. Only a folder this command made and
 * that holds nothing but what the demo recorded is removed (assertDemoOwned), so nothing of the
 * user's is ever deleted.
 */
async function removeUnfinished(target: string): Promise<void> {
  if (!lstatOrUndefined(target)) return;
  try {
    assertDemoOwned(target);
    await rm(target, { recursive: true, force: true });
  } catch (err) {
    log.warn(`Open Sample: left ${target} in place: ${(err as Error).message}`);
  }
}

/**
 * Not awaited: the command returns once the sample exists. A sample inside the workspace is shown
 * in the Explorer; one outside it can be opened (a window reload) or added to the workspace.
 */
function offerNextSteps(sample: SampleResult): void {
  const uri = vscode.Uri.file(sample.out);
  const inWorkspace = (vscode.workspace.workspaceFolders ?? []).some((f) => f.uri.scheme === 'file' && isInside(f.uri.fsPath, sample.out));
  if (inWorkspace)
    void vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(sample.checkpoint)).then(undefined, () => undefined);
  const buttons = inWorkspace
    ? [INSPECT]
    : vscode.workspace.workspaceFolders?.length
      ? [INSPECT, OPEN_FOLDER, ADD_TO_WORKSPACE]
      : [INSPECT, OPEN_FOLDER];
  const message =
    `Embedding Lens: the sample is ready in ${sample.out} — an untrained CNN (checkpoint/model.json), ` +
    `${sample.trained.classNames.length} classes to fine-tune on (dataset-train) and ${sample.heldOut.classNames.length} held-out classes to judge it on (dataset-held-out).`;
  void vscode.window.showInformationMessage(message, ...buttons).then(async (choice) => {
    if (choice === INSPECT) {
      await vscode.commands.executeCommand('embeddingLens.inspect', vscode.Uri.file(sample.checkpoint), { dataset: sample.heldOut.root });
    } else if (choice === OPEN_FOLDER) {
      await vscode.commands.executeCommand('vscode.openFolder', uri, {
        forceNewWindow: Boolean(vscode.workspace.workspaceFolders?.length),
      });
    } else if (choice === ADD_TO_WORKSPACE) {
      vscode.workspace.updateWorkspaceFolders(vscode.workspace.workspaceFolders?.length ?? 0, 0, { uri });
    }
  });
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

function sampleReadme(s: DemoInputs): string {
  return `# Embedding Lens sample

Made by "Embedding Lens: Open Sample" with the same generator as \`embedding-lens demo\`.

- \`checkpoint/model.json\` — a small **untrained** CNN (tfjs LayersModel, 64-d embeddings) with its \`embedding-lens.json\`.
- \`dataset-train/\` — ${s.trained.count} images of ${s.trained.classNames.length} classes (${s.trained.classNames.join(', ')}): fine-tune on these.
- \`dataset-held-out/\` — ${s.heldOut.count} images of ${s.heldOut.classNames.length} other classes (${s.heldOut.classNames.join(', ')}): judge the model on these, classes it never trained on.

Try, in this order:
1. Right-click \`checkpoint/model.json\` → **Inspect Embeddings**, dataset \`dataset-held-out\`: the untrained map is a blur.
2. Right-click it → **Fine-tune with EET Loss**, dataset \`dataset-train\` (the defaults take a minute or two); a new \`checkpoint-eet-1/\` appears beside it.
3. Select \`checkpoint/model.json\` and \`checkpoint-eet-1/model.json\` → **Compare Embeddings** on \`dataset-held-out\`: the held-out classes separate after fine-tuning.
4. **Embedding Lens: Export Report** writes the open panel as one HTML file.
`;
}
