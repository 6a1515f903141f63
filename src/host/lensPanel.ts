import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { writeFileAtomic } from '../core/io/outputs';
import { makeNonce } from '../core/report/panelHtml';
import type { MessageOf, MessageTable, RequestType, ResultOf } from '../protocol/registry';
import { answerRequest } from '../protocol/request';
import { log } from './log';
import { postToWebview } from './postToWebview';
import { announceSaved } from './savedNotice';

/** What the page builder of a panel kind is given (core/report/panelHtml.ts builds every page). */
export interface PageParts {
  cspSource: string;
  nonce: string;
  scriptUri: string;
  css: string;
  title: string;
}

/** What makes one kind of panel: its view type, its page and its protocol. */
export interface PanelKind<T extends MessageTable> {
  viewType: string;
  /** In log lines: "inspection panel". */
  label: string;
  /** The webview→host messages; requests among them are answered through the protocol's helper. */
  table: T;
  validate(raw: unknown): MessageOf<T>;
  /** The script bundle under dist/. */
  bundle: string;
  /** Stylesheets under media/, in order. */
  css: string[];
  page(parts: PageParts): string;
  /** Whether an open panel of this kind sets embeddingLens.panelActive (Export Report applies to it). */
  reportable: boolean;
}

type Named<T extends MessageTable, K> = Extract<MessageOf<T>, { type: K }>;
type Result<T extends MessageTable, K extends keyof T> = K extends RequestType<T> ? ResultOf<T, K> : void;

/** One handler per message type (ready and state are the base's); a request's returns its reply's result. */
export type Handlers<T extends MessageTable> = {
  [K in Exclude<keyof T & string, 'ready' | 'state'>]: (msg: Named<T, K>) => Result<T, K> | Promise<Result<T, K>>;
};

/** The open panels of one kind, and the one the user looked at last (Export Report from the palette). */
export class OpenPanels<P extends { readonly disposed: boolean }> {
  private readonly open = new Set<P>();
  private last: P | undefined;

  add(p: P): void {
    this.open.add(p);
    this.last = p;
  }

  activated(p: P): void {
    this.last = p;
  }

  delete(p: P): void {
    this.open.delete(p);
    if (this.last === p) this.last = undefined;
  }

  active(): P | undefined {
    return this.last && !this.last.disposed ? this.last : [...this.open].pop();
  }

  all(): P[] {
    return [...this.open];
  }
}

/** Every open panel that Export Report applies to, whatever its kind: the embeddingLens.panelActive context. */
const reportable = new Set<object>();
const updatePanelActive = () => void vscode.commands.executeCommand('setContext', 'embeddingLens.panelActive', reportable.size > 0);

/** How a panel's export is saved. */
export interface ExportDialog {
  /** Where the save dialog starts. */
  folder: vscode.Uri;
  title: string;
  /** In the log line: "Exported <what> to <path>". */
  what: string;
  /** Shown as "<announce> saved — <path>" with Open / Reveal; no notice when left out. */
  announce?: string;
}

/** The extension's folders, and the dataset folders whose images the panel shows. */
export function resourceRoots(context: vscode.ExtensionContext, datasetRoots: string[]): vscode.Uri[] {
  return [
    vscode.Uri.joinPath(context.extensionUri, 'dist'),
    vscode.Uri.joinPath(context.extensionUri, 'media'),
    ...datasetRoots.filter((r) => r && isAbsolute(r)).map((r) => vscode.Uri.file(r)),
  ];
}

/** A new webview panel of a kind, with the options every Embedding Lens panel uses. */
export function createLensWebview(
  context: vscode.ExtensionContext,
  viewType: string,
  title: string,
  datasetRoots: string[] = [],
): vscode.WebviewPanel {
  return vscode.window.createWebviewPanel(viewType, title, vscode.ViewColumn.Active, {
    enableScripts: true,
    retainContextWhenHidden: true,
    localResourceRoots: resourceRoots(context, datasetRoots),
  });
}

/**
 * One Embedding Lens panel: owns the webview's page (HTML + CSP from the one builder), its place in
 * the open-panel set, the queue of messages until the webview says ready, the replay of the
 * host's current state to a (re)loaded webview, the validation of every webview message (its
 * content is untrusted) and the dispatch to the subclass's handlers, with a failed request's error
 * replied to it, and disposal. Each panel supplies its handlers, its replay and its own data.
 */
export abstract class LensPanel<T extends MessageTable, Out extends { type: string }, State> {
  /** The saved view state the webview last reported (on ready and on each change). */
  viewState: State | undefined;
  private ready = false;
  private queue: Out[] = [];
  private isDisposed = false;
  private readonly disposeEmitter = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.disposeEmitter.event;

  protected abstract readonly handlers: Handlers<T>;
  /** What a (re)loaded webview is sent first: everything the host holds so far. */
  protected abstract replay(): Out[];

  protected constructor(
    protected readonly context: vscode.ExtensionContext,
    readonly panel: vscode.WebviewPanel,
    private readonly kind: PanelKind<T>,
    private readonly tracker: OpenPanels<never>,
    pageTitle: string,
  ) {
    panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'icon.png');
    tracker.add(this as never);
    if (kind.reportable) {
      reportable.add(this);
      updatePanelActive();
    }
    panel.onDidChangeViewState((e) => {
      if (!e.webviewPanel.active) return;
      tracker.activated(this as never);
      if (kind.reportable) updatePanelActive();
    });
    panel.onDidDispose(() => this.dispose());
    panel.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw));
    void this.render(pageTitle).catch((err: unknown) => log.error(`Could not render the ${kind.label}`, err));
  }

  get disposed(): boolean {
    return this.isDisposed;
  }

  private async render(title: string): Promise<void> {
    const media = (name: string) => readFile(vscode.Uri.joinPath(this.context.extensionUri, 'media', name).fsPath, 'utf8');
    const css = (await Promise.all(this.kind.css.map(media))).join('\n');
    const webview = this.panel.webview;
    webview.html = this.kind.page({
      cspSource: webview.cspSource,
      nonce: makeNonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(this.context.extensionUri, 'dist', this.kind.bundle)).toString(),
      css,
      title,
    });
  }

  /** Sends now when the webview is ready, else keeps what the replay will not cover. */
  protected post(msg: Out): void {
    if (this.isDisposed) return;
    if (!this.ready) this.queue = this.queueUntilReady(this.queue, msg);
    else void this.send(msg);
  }

  /** Until the webview is ready only the latest progress matters; the rest is kept in order. */
  protected queueUntilReady(queue: Out[], msg: Out): Out[] {
    return [...(msg.type === 'progress' ? queue.filter((m) => m.type !== 'progress') : queue), msg];
  }

  private send(msg: object): Promise<boolean> {
    return postToWebview(this.panel, () => this.isDisposed, msg);
  }

  private receive(raw: unknown): void {
    let msg: MessageOf<T>;
    try {
      msg = this.kind.validate(raw);
    } catch (err) {
      log.warn(`Ignored a ${this.kind.label} message: ${(err as Error).message}`);
      return;
    }
    void this.dispatch(msg);
  }

  private async dispatch(msg: MessageOf<T>): Promise<void> {
    const fields = msg as { type: string; state?: State; requestId?: number };
    if (fields.type === 'ready') {
      this.viewState = fields.state ?? this.viewState;
      this.ready = true;
      // A (re)loaded webview gets everything known so far, then whatever waited for it.
      const pending = this.queue;
      this.queue = [];
      for (const m of [...this.replay(), ...pending]) await this.send(m);
      return;
    }
    if (fields.type === 'state') {
      this.viewState = fields.state;
      return;
    }
    const handler = (this.handlers as Record<string, (m: unknown) => unknown>)[fields.type];
    if ('reply' in this.kind.table[fields.type]) {
      const failed = await answerRequest(
        this.kind.table,
        msg as never,
        async () => (await handler(msg)) as never,
        (reply) => this.send(reply),
      );
      if (failed) log.error(`${this.kind.label} request "${fields.type}" failed`, failed);
      return;
    }
    try {
      await handler(msg);
    } catch (err) {
      log.error(`${this.kind.label} "${fields.type}" failed`, err);
      this.showError(err instanceof Error ? err.message : String(err));
    }
  }

  /** A failed message that is no request: the map panels show it in their error banner. */
  protected showError(message: string): void {
    void this.send({ type: 'error', message });
  }

  /**
   * Export: the save dialog (a file name from the webview, a folder chosen by the user), then a
   * temp file + rename, so a full disk or a crash mid-write never leaves a half file over the old
   * one. Resolves with the path written; a cancelled dialog is an error replied to the request.
   */
  protected async saveExport(msg: { fileName: string; format: string; content: string | Uint8Array }, o: ExportDialog): Promise<string> {
    const target = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.joinPath(o.folder, msg.fileName),
      title: o.title,
      filters: { [msg.format.toUpperCase()]: [msg.format] },
    });
    if (!target) throw new Error('Export cancelled');
    await writeFileAtomic(target.fsPath, msg.content);
    log.info(`Exported ${o.what} to ${target.fsPath}`);
    if (o.announce)
      void announceSaved(o.announce, target.fsPath).catch((err: unknown) =>
        log.warn(`Could not open the export: ${(err as Error).message}`),
      );
    return target.fsPath;
  }

  /** An item's image beside the panel, when it is a file of its own (IDX items are not). */
  protected async openItemFile(path: string | undefined): Promise<void> {
    if (path && isAbsolute(path) && existsSync(path))
      await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(path), vscode.ViewColumn.Beside);
  }

  /** What the panel lets go of when it closes (it has left the open set). */
  protected onDispose(): void {}

  dispose(): void {
    if (this.isDisposed) return;
    this.isDisposed = true;
    this.tracker.delete(this as never);
    if (reportable.delete(this)) updatePanelActive();
    this.onDispose();
    this.disposeEmitter.fire();
    this.disposeEmitter.dispose();
    this.panel.dispose();
  }
}
