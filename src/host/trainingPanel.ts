import * as vscode from 'vscode';
import type { Progress } from '../core/types';
import type { EpochReport, StepReport } from '../core/train/options';
import {
  TRAINING_MESSAGES,
  validateTrainingMessage,
  type TrainingHostToWebview,
  type TrainingOutcome,
  type TrainingRunInfo,
  type TrainingStage,
  type TrainingViewState,
} from '../trainingProtocol';
import { displayName } from '../core/util/displayName';
import { log } from './log';
import { createLensWebview, LensPanel, OpenPanels, type Handlers, type PanelKind } from './lensPanel';
import { trainingHtml } from './trainingHtml';

export const TRAINING_VIEW_TYPE = 'embeddingLens.training';

type Button = 'cancel' | 'compare' | 'reveal';

/**
 * One run as the host keeps it: everything reported so far and what the panel's buttons do. Kept
 * apart from the panel showing it, so a panel restored after the webview was reloaded (while this
 * extension host still runs) shows the same run, live, with working buttons.
 */
interface KeptRun {
  run: TrainingRunInfo;
  steps: StepReport[];
  epochs: EpochReport[];
  stage?: TrainingStage;
  outcome?: TrainingOutcome;
  buttons: Record<Button, Set<() => void>>;
  /** The panels showing it (one, unless a restored one joined). */
  views: Set<TrainingPanel>;
}

/** The runs of this extension host by output folder, the latest few (restore looks them up). */
const keptRuns = new Map<string, KeptRun>();
const KEEP_RUNS = 8;

function keep(record: KeptRun): void {
  keptRuns.delete(record.run.outDir);
  keptRuns.set(record.run.outDir, record);
  for (const old of keptRuns.keys()) if (keptRuns.size > KEEP_RUNS) keptRuns.delete(old);
}

const TRAINING_PANEL: PanelKind<typeof TRAINING_MESSAGES> = {
  viewType: TRAINING_VIEW_TYPE,
  label: 'fine-tune panel',
  table: TRAINING_MESSAGES,
  validate: validateTrainingMessage,
  bundle: 'training.js',
  css: ['panel.css', 'training.css'],
  page: trainingHtml,
  reportable: false,
};

/**
 * The fine-tune panel: opens when training starts, relays steps and epochs to the webview, and a
 * webview that (re)loads gets the whole run in its `init`. Its Cancel, Compare and Reveal buttons
 * call the handlers the command registers. The page, validation and dispatch are LensPanel's.
 */
export class TrainingPanel extends LensPanel<typeof TRAINING_MESSAGES, TrainingHostToWebview, TrainingViewState> {
  private static readonly open = new OpenPanels<TrainingPanel>();

  static create(context: vscode.ExtensionContext, run: TrainingRunInfo): TrainingPanel {
    const record: KeptRun = {
      run,
      steps: [],
      epochs: [],
      buttons: { cancel: new Set(), compare: new Set(), reveal: new Set() },
      views: new Set(),
    };
    keep(record);
    return new TrainingPanel(context, createLensWebview(context, TRAINING_VIEW_TYPE, `Fine-tune: ${displayName(run.checkpoint)}`), record);
  }

  /**
   * A panel VS Code brought back after a reload, showing the kept run with output folder `outDir`;
   * undefined when this extension host holds no such run (the window was reloaded, so it restarted).
   */
  static restore(context: vscode.ExtensionContext, panel: vscode.WebviewPanel, outDir: string): TrainingPanel | undefined {
    const record = keptRuns.get(outDir);
    return record && new TrainingPanel(context, panel, record);
  }

  private constructor(
    context: vscode.ExtensionContext,
    panel: vscode.WebviewPanel,
    private readonly record: KeptRun,
  ) {
    super(context, panel, TRAINING_PANEL, TrainingPanel.open as OpenPanels<never>, `Fine-tune ${displayName(record.run.checkpoint)}`);
    record.views.add(this);
  }

  /** Cancel in the panel, Compare, Reveal: what each button does. */
  on(what: Button, handler: () => void): vscode.Disposable {
    this.record.buttons[what].add(handler);
    return new vscode.Disposable(() => this.record.buttons[what].delete(handler));
  }

  progress(p: Progress): void {
    this.record.stage = { stage: p.stage, done: p.done, total: p.total, ...(p.message ? { message: p.message } : {}) };
    this.broadcast({ type: 'stage', stage: this.record.stage });
  }

  step(s: StepReport): void {
    this.record.steps.push(s);
    this.broadcast({ type: 'step', step: s });
  }

  epoch(e: EpochReport): void {
    this.record.epochs.push(e);
    this.broadcast({ type: 'epoch', epoch: e });
  }

  finish(outcome: TrainingOutcome): void {
    this.record.outcome = outcome;
    if (outcome.backend) this.record.run = { ...this.record.run, backendSetting: outcome.backend };
    this.broadcast({ type: 'finished', outcome });
  }

  reveal(): void {
    this.panel.reveal(undefined, true);
  }

  /** To every panel showing the run (a restored one too). */
  private broadcast(msg: TrainingHostToWebview): void {
    for (const view of this.record.views) view.post(msg);
  }

  protected replay(): TrainingHostToWebview[] {
    const { run, steps, epochs, stage, outcome } = this.record;
    return [{ type: 'init', run, steps, epochs, stage, outcome }];
  }

  /** Before `ready` nothing waits: the init that answers it carries everything kept so far. */
  protected override queueUntilReady(queue: TrainingHostToWebview[]): TrainingHostToWebview[] {
    return queue;
  }

  /** The training webview has no error banner: a failed button is in the log. */
  protected override showError(): void {}

  private press(what: Button): void {
    for (const h of this.record.buttons[what]) {
      try {
        h();
      } catch (err) {
        log.error(`Fine-tune panel "${what}" failed`, err);
      }
    }
  }

  protected readonly handlers: Handlers<typeof TRAINING_MESSAGES> = {
    cancel: () => this.press('cancel'),
    compare: () => this.press('compare'),
    reveal: () => this.press('reveal'),
  };

  // Closing the panel while training does not stop the run: the notification still has Cancel.
  protected override onDispose(): void {
    this.record.views.delete(this);
  }
}
