import * as vscode from 'vscode';
import { postToWebview } from './postToWebview';
import { readFile } from 'node:fs/promises';
import type { Progress } from '../core/types';
import type { EpochReport, StepReport } from '../core/train/options';
import {
  validateTrainingMessage,
  type TrainingHostToWebview,
  type TrainingOutcome,
  type TrainingRunInfo,
  type TrainingStage,
  type TrainingWebviewToHost,
} from '../trainingProtocol';
import { displayName } from '../core/util/displayName';
import { log } from './log';
import { makeNonce } from '../core/report/panelHtml';
import { trainingHtml } from './trainingHtml';

export const TRAINING_VIEW_TYPE = 'embeddingLens.training';

/**
 * The fine-tune panel: opens when training starts, relays steps and epochs to the webview and keeps
 * them all, so a webview that (re)loads gets the whole run in its `init`. Its Cancel, Compare and
 * Reveal buttons call the handlers the command registers; messages are validated first (the
 * webview is untrusted).
 */
export class TrainingPanel {
  private readonly steps: StepReport[] = [];
  private readonly epochs: EpochReport[] = [];
  private stage: TrainingStage | undefined;
  private outcome: TrainingOutcome | undefined;
  private ready = false;
  private isDisposed = false;
  private readonly handlers: { [K in Exclude<TrainingWebviewToHost['type'], 'ready'>]: Set<() => void> } = {
    cancel: new Set(),
    compare: new Set(),
    reveal: new Set(),
  };

  static create(context: vscode.ExtensionContext, run: TrainingRunInfo): TrainingPanel {
    const panel = vscode.window.createWebviewPanel(TRAINING_VIEW_TYPE, `Fine-tune: ${shortName(run.checkpoint)}`, vscode.ViewColumn.Active, {
      enableScripts: true,
      retainContextWhenHidden: true,
      localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, 'dist'), vscode.Uri.joinPath(context.extensionUri, 'media')],
    });
    return new TrainingPanel(context, panel, run);
  }

  private constructor(
    private readonly context: vscode.ExtensionContext,
    readonly panel: vscode.WebviewPanel,
    private run: TrainingRunInfo,
  ) {
    panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'icon.png');
    panel.onDidDispose(() => this.dispose());
    panel.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw));
    void this.render().catch((err: unknown) => log.error('Could not render the fine-tune panel', err));
  }

  private async render(): Promise<void> {
    const media = (name: string) => readFile(vscode.Uri.joinPath(this.context.extensionUri, 'media', name).fsPath, 'utf8');
    const css = `${await media('panel.css')}\n${await media('training.css')}`;
    const webview = this.panel.webview;
    webview.html = trainingHtml({
      cspSource: webview.cspSource,
      nonce: makeNonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'training.js')).toString(),
      css,
      title: `Fine-tune ${shortName(this.run.checkpoint)}`,
    });
  }

  get disposed(): boolean {
    return this.isDisposed;
  }

  /** Cancel in the panel, Compare, Reveal: what each button does. */
  on(what: 'cancel' | 'compare' | 'reveal', handler: () => void): vscode.Disposable {
    this.handlers[what].add(handler);
    return new vscode.Disposable(() => this.handlers[what].delete(handler));
  }

  progress(p: Progress): void {
    this.stage = { stage: p.stage, done: p.done, total: p.total, ...(p.message ? { message: p.message } : {}) };
    this.post({ type: 'stage', stage: this.stage });
  }

  step(s: StepReport): void {
    this.steps.push(s);
    this.post({ type: 'step', step: s });
  }

  epoch(e: EpochReport): void {
    this.epochs.push(e);
    this.post({ type: 'epoch', epoch: e });
  }

  finish(outcome: TrainingOutcome): void {
    this.outcome = outcome;
    if (outcome.backend) this.run = { ...this.run, backendSetting: outcome.backend };
    this.post({ type: 'finished', outcome });
  }

  reveal(): void {
    this.panel.reveal(undefined, true);
  }

  private post(msg: TrainingHostToWebview): void {
    // Before `ready` nothing is sent: the init that answers it carries everything kept so far.
    if (this.isDisposed || !this.ready) return;
    void postToWebview(this.panel, () => this.isDisposed, msg);
  }

  private receive(raw: unknown): void {
    let msg: TrainingWebviewToHost;
    try {
      msg = validateTrainingMessage(raw);
    } catch (err) {
      log.warn(`Ignored a fine-tune panel message: ${(err as Error).message}`);
      return;
    }
    if (msg.type === 'ready') {
      this.ready = true;
      void postToWebview(this.panel, () => this.isDisposed, {
        type: 'init', run: this.run, steps: this.steps, epochs: this.epochs, stage: this.stage, outcome: this.outcome,
      } satisfies TrainingHostToWebview);
      return;
    }
    for (const h of this.handlers[msg.type]) {
      try {
        h();
      } catch (err) {
        log.error(`Fine-tune panel "${msg.type}" failed`, err);
      }
    }
  }

  dispose(): void {
    if (this.isDisposed) return;
    this.isDisposed = true;
    // Closing the panel while training does not stop the run: the notification still has Cancel.
    this.panel.dispose();
  }
}

const shortName = displayName;
