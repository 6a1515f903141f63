import * as vscode from 'vscode';
import { resolve } from 'node:path';
import { assertWritableOutDir } from '../core/train/checkpointWriter';
import { displayName } from '../core/util/displayName';
import type { TrainWhat } from '../core/train/options';
import {
  applyText,
  applyTrain,
  applyValidation,
  editText,
  formRows,
  parseLastLayers,
  parseValFraction,
  rowAfterEdit,
  summary,
  toggleNormalize,
  validateText,
  type FormField,
  type FormState,
} from './fineTuneForm';

/**
 * The fine-tune's settings list in VS Code: one quick pick of every setting with its value, each
 * row editable in place (the form's logic — rows, parsing, validation — is fineTuneForm.ts).
 */

type RowId = 'start' | 'outDir' | FormField;
type RowItem = vscode.QuickPickItem & { id?: RowId };

const ICONS: Record<FormField, string> = {
  epochs: 'history',
  lr: 'dashboard',
  margin: 'arrow-both',
  weights: 'settings',
  pk: 'layers',
  normalize: 'circle-large-outline',
  train: 'target',
  validation: 'beaker',
  seed: 'symbol-number',
};

/**
 * One quick pick listing every setting with its value: Enter on the first row starts training with
 * what is shown (so Enter, Enter, Enter works); choosing a row edits it and comes back here.
 */
export async function askSettings(
  initial: FormState,
  initialOut: string,
  checkpoint: string,
): Promise<{ state: FormState; outDir: string } | undefined> {
  let state = initial;
  let outDir = initialOut;
  let active: RowId = 'start';
  const title = `Fine-tune ${displayName(checkpoint)} with EET loss`;
  for (;;) {
    const choice = await pickRow(title, state, outDir, active);
    if (!choice) return undefined;
    if (choice === 'start') return { state, outDir };
    const before = { state, outDir };
    if (choice === 'outDir') {
      const v = await vscode.window.showInputBox({
        title: `${title}: output folder`,
        prompt: 'A new folder for the fine-tuned checkpoint (never the source folder)',
        value: outDir,
        validateInput: (t) => outDirProblem(t, checkpoint),
      });
      if (v !== undefined) outDir = resolve(v.trim());
    } else if (choice === 'normalize') {
      state = toggleNormalize(state);
    } else if (choice === 'train') {
      const t = await pickTrain(title, state);
      if (t !== undefined) state = applyTrain(state, t);
    } else if (choice === 'validation') {
      state = (await pickValidation(title, state)) ?? state;
    } else {
      const field = choice;
      const row = formRows(state).find((r) => r.field === field)!;
      const v = await vscode.window.showInputBox({
        title: `${title}: ${row.label}`,
        prompt: row.detail,
        value: editText(field, state.settings),
        validateInput: (t) => validateText(field, t, state.settings),
      });
      if (v !== undefined) state = applyText(state, field, v);
    }
    active = rowAfterEdit(choice, state !== before.state || outDir !== before.outDir);
  }
}

async function outDirProblem(text: string, checkpoint: string): Promise<string | undefined> {
  if (!text.trim()) return 'A folder path is needed';
  try {
    await assertWritableOutDir(resolve(text.trim()), checkpoint);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

function pickRow(title: string, state: FormState, outDir: string, active: RowId): Promise<RowId | undefined> {
  const items: RowItem[] = [
    {
      id: 'start',
      label: '$(play) Start training',
      description: summary(state),
      detail: `Writes the best epoch to ${vscode.workspace.asRelativePath(outDir)}`,
      alwaysShow: true,
    },
    { label: 'Settings — choose one to change it', kind: vscode.QuickPickItemKind.Separator },
    ...formRows(state).map((r): RowItem => ({
      id: r.field,
      label: `$(${ICONS[r.field]}) ${r.label}`,
      description: r.value,
      detail: r.detail,
    })),
    {
      id: 'outDir',
      label: '$(folder) Output folder',
      description: vscode.workspace.asRelativePath(outDir),
      detail: 'A new folder beside the source; the source checkpoint is never written.',
    },
  ];
  return new Promise((done) => {
    const qp = vscode.window.createQuickPick<RowItem>();
    qp.title = title;
    qp.placeholder = 'Enter starts training with these settings; choose a row to change it';
    qp.items = items;
    qp.matchOnDescription = true;
    qp.activeItems = items.filter((i) => i.id === active);
    let result: RowId | undefined;
    qp.onDidAccept(() => {
      result = qp.selectedItems[0]?.id ?? qp.activeItems[0]?.id;
      qp.hide();
    });
    qp.onDidHide(() => {
      qp.dispose();
      done(result);
    });
    qp.show();
  });
}

async function pickTrain(title: string, state: FormState): Promise<TrainWhat | undefined> {
  if (state.headOnlyReason) {
    await vscode.window.showQuickPick([{ label: '$(target) Projection head only', detail: `Fixed: ${state.headOnlyReason}.` }], {
      title: `${title}: what to train`,
    });
    return 'head';
  }
  const current = state.settings.train;
  const choice = await vscode.window.showQuickPick(
    [
      { label: 'End to end', value: 'all' as const, detail: 'Every layer with weights is trained.', picked: current === 'all' },
      {
        label: 'Last N layers…',
        value: 'last' as const,
        detail: 'Only the last N layers with weights; the rest stay as they are (faster, keeps early features).',
        picked: typeof current === 'object',
      },
      {
        label: 'Projection head only',
        value: 'head' as const,
        detail: 'A new linear head on the frozen embedding; the backbone runs once, so this is the fastest.',
        picked: current === 'head',
      },
    ],
    { title: `${title}: what to train` },
  );
  if (!choice) return undefined;
  if (choice.value !== 'last') return choice.value;
  const v = await vscode.window.showInputBox({
    title: `${title}: how many layers`,
    prompt: 'How many of the last layers with weights to train',
    value: typeof current === 'object' ? String(current.lastLayers) : '2',
    validateInput: (t) => {
      const r = parseLastLayers(t);
      return r.ok ? undefined : r.error;
    },
  });
  if (v === undefined) return undefined;
  const r = parseLastLayers(v);
  return r.ok ? { lastLayers: r.value } : undefined;
}

async function pickValidation(title: string, state: FormState): Promise<FormState | undefined> {
  const s = state.settings;
  const choice = await vscode.window.showQuickPick(
    [
      {
        label: 'Held-out classes…',
        value: 'class-disjoint' as const,
        detail: "Validate on classes training never sees (the retrieval benchmarks' protocol).",
      },
      {
        label: "The dataset's own split",
        value: 'split' as const,
        detail: "Train on the manifest's train rows and validate on its val/test rows (or the SOP / In-Shop lists).",
      },
    ],
    { title: `${title}: validation` },
  );
  if (!choice) return undefined;
  if (choice.value === 'split') return applyValidation(state, 'split');
  const v = await vscode.window.showInputBox({
    title: `${title}: held-out classes`,
    prompt: 'Share of the classes held out for validation',
    value: `${Number((s.valFraction * 100).toPrecision(6))}%`,
    validateInput: (t) => {
      const r = parseValFraction(t);
      return r.ok ? undefined : r.error;
    },
  });
  if (v === undefined) return undefined;
  const r = parseValFraction(v);
  return r.ok ? applyValidation(state, 'class-disjoint', r.value) : undefined;
}
