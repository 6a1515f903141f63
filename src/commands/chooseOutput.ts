import * as vscode from 'vscode';
import type { OutputCandidate } from '../core/checkpoint';
import { displayName } from '../core/util/displayName';
import { InspectionPanel } from '../host/inspectionPanel';
import { log } from '../host/log';
import { pickEmbeddingOutput } from '../host/outputPicker';

/** What an inspection panel's run left undecided: several outputs were equally plausible. */
interface OpenChoice {
  checkpoint: string;
  dataset: string | undefined;
  candidates: OutputCandidate[];
  /** The output that was taken (the first candidate). */
  used: string;
}

const openChoices = new WeakMap<InspectionPanel, OpenChoice>();
const CHOOSE = 'Choose Output…';

/**
 * After an inspection whose model had several equally plausible embedding outputs (the first was
 * taken; the header's notes say so): remembers them for the panel and offers the choice.
 */
export function offerOutputChoice(panel: InspectionPanel, choice: OpenChoice): void {
  openChoices.set(panel, choice);
  const names = choice.candidates.map((c) => `"${c.name}"`).join(', ');
  log.info(`${choice.checkpoint}: ${choice.candidates.length} equally plausible embedding outputs (${names}); used "${choice.used}"`);
  void vscode.window
    .showInformationMessage(
      `Embedding Lens: ${displayName(choice.checkpoint)} has ${choice.candidates.length} equally plausible embedding outputs (${names}); "${choice.used}" was used.`,
      CHOOSE,
    )
    .then((a) => a === CHOOSE && vscode.commands.executeCommand('embeddingLens.chooseOutput'));
}

/**
 * "Embedding Lens: Choose Embedding Output…" for the active inspection panel: a quick pick of the
 * equally plausible outputs (name, shape, producing op), then the inspection again with the chosen
 * one in a new panel in place of this one — remembered in embedding-lens.json if the user says so.
 */
export async function run(context: vscode.ExtensionContext): Promise<unknown> {
  const panel = InspectionPanel.active();
  const open = panel ? openChoices.get(panel) : undefined;
  if (!panel || !open) {
    void vscode.window.showInformationMessage(
      'Embedding Lens: the active inspection has no choice of embedding output to make — its model has one plausible output, or names it in embedding-lens.json.',
    );
    return undefined;
  }
  const pick = await pickEmbeddingOutput(open.checkpoint, open.candidates, open.used);
  if (!pick) return undefined;
  openChoices.delete(panel);
  // A new panel for the new embedding (this one's handlers belong to the old run), in its place.
  panel.panel.dispose();
  const { inspectInPanel } = await import('./inspect');
  // Remembered: embedding-lens.json now names it, as for every later run; else this run only.
  return inspectInPanel(
    context,
    open.checkpoint,
    open.dataset,
    undefined,
    undefined,
    undefined,
    pick.rememberedIn ? undefined : pick.choice,
  );
}
