import * as vscode from 'vscode';
import { basename } from 'node:path';
import { rememberOutputChoice, type OutputCandidate, type OutputChoice } from '../core/checkpoint';
import { log } from './log';

const THIS_TIME = 'This time only';
const REMEMBER = 'Remember in embedding-lens.json';

export interface OutputPick {
  choice: OutputChoice;
  /** Where the choice was written, when the user asked to remember it. */
  rememberedIn?: string;
}

/** "[n, 17, 64] · Add" — what a candidate looks like, for the quick pick's description. */
export function describeCandidate(c: OutputCandidate): string {
  const shape = `[${c.shape.map((d, i) => (i === 0 ? 'n' : d)).join(', ')}]`;
  const reduce =
    c.choice.kind === 'named' && c.choice.pool
      ? ` → ${c.choice.pool === 'gap' ? 'global average pooling' : c.choice.pool === 'mean' ? 'mean over tokens' : 'token 0 (CLS)'}`
      : '';
  return `${shape}${reduce}${c.op ? ` · produced by ${c.op}` : ''}`;
}

/**
 * Asks which of a model's equally plausible outputs is the embedding (name, shape, producing op;
 * the one used so far marked), then whether to remember the answer in embedding-lens.json beside
 * the checkpoint. Remembering writes a file in the user's folder, so it is offered only in a
 * trusted workspace and only when the user says so. undefined when the user backs out.
 */
export async function pickEmbeddingOutput(
  checkpoint: string,
  candidates: OutputCandidate[],
  used: string,
): Promise<OutputPick | undefined> {
  const items = candidates.map((c) => ({
    label: c.name,
    description: describeCandidate(c),
    detail: c.name === used ? 'used so far' : undefined,
    candidate: c,
  }));
  const picked = await vscode.window.showQuickPick(items, {
    title: `Which output of ${basename(checkpoint)} is the embedding?`,
    placeHolder: `${candidates.length} outputs are equally plausible by name and shape`,
    ignoreFocusOut: true,
  });
  if (!picked) return undefined;
  const choice = picked.candidate.choice;
  if (!vscode.workspace.isTrusted) {
    log.info(`Output ${picked.candidate.name} chosen for ${checkpoint} for this run (not remembered: the workspace is not trusted)`);
    return { choice };
  }
  const keep = await vscode.window.showQuickPick(
    [
      {
        label: REMEMBER,
        detail: `Writes "output" into ${basename(checkpoint)}'s embedding-lens.json (its other keys are kept), so later runs and the CLI use it too`,
      },
      { label: THIS_TIME, detail: 'Nothing is written' },
    ],
    { title: `Use "${picked.candidate.name}" as the embedding of ${basename(checkpoint)}`, ignoreFocusOut: true },
  );
  if (keep?.label !== REMEMBER) return { choice };
  try {
    const rememberedIn = await rememberOutputChoice(checkpoint, choice);
    log.info(`Output ${picked.candidate.name} remembered in ${rememberedIn}`);
    return { choice, rememberedIn };
  } catch (err) {
    // The run still uses the choice; only remembering it failed (e.g. a sidecar that does not parse).
    void vscode.window.showWarningMessage(`Embedding Lens: not remembered — ${(err as Error).message}`);
    return { choice };
  }
}
