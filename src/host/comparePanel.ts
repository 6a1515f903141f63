import * as vscode from 'vscode';
import { postToWebview } from './postToWebview';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../core/io/outputs';
import { dirname, isAbsolute } from 'node:path';
import {
  validateWebviewMessage,
  type CompareData,
  type CompareMessage,
  type HostToWebview,
  type InspectionPatch,
  type ItemsChoice,
  type PanelViewState,
  type WebviewToHost,
} from '../protocol';
import { itemPaths } from '../core/compare';
import { thumbnailDataUris } from '../core/report/thumbnails';
import { InspectionPanel, resourceRoots } from './inspectionPanel';
import { log } from './log';
import { makeNonce, panelHtml } from '../core/report/panelHtml';

export const COMPARE_VIEW_TYPE = 'embeddingLens.compare';

type Outgoing = HostToWebview | CompareMessage;

/**
 * One Compare panel: the same bundle as the inspection panel, told by `data-view="compare"` to
 * start the compare view. Shows progress while A and B are inspected, then the comparison in one
 * `initCompare`; keeps the comparison (with file paths, not webview URIs) for Export Report; and
 * answers the webview's exports after validating them (its content is untrusted).
 */
export class ComparePanel {
  private static readonly open = new Set<ComparePanel>();
  private static lastActive: ComparePanel | undefined;

  /** The comparison as the engine made it (thumbnails are file paths), once it is done. */
  data: CompareData | undefined;
  viewState: PanelViewState | undefined;
  private ready = false;
  private queue: Outgoing[] = [];
  private webviewData: CompareData | undefined;
  private readonly cancelHandlers = new Set<() => void>();
  private readonly itemsHandlers = new Set<(items: ItemsChoice) => void>();
  private isDisposed = false;

  /** The compare panel the user looked at last (Export Report from the palette). */
  static active(): ComparePanel | undefined {
    return ComparePanel.lastActive && !ComparePanel.lastActive.isDisposed ? ComparePanel.lastActive : [...ComparePanel.open].pop();
  }

  static all(): ComparePanel[] {
    return [...ComparePanel.open];
  }

  static create(context: vscode.ExtensionContext, title: string, datasetRoots: string[]): ComparePanel {
    const panel = vscode.window.createWebviewPanel(COMPARE_VIEW_TYPE, `Compare: ${title}`, vscode.ViewColumn.Active, {
      enableScripts: true,
      retainContextWhenHidden: true,
      localResourceRoots: resourceRoots(context, datasetRoots),
    });
    return new ComparePanel(context, panel, title);
  }

  constructor(
    private readonly context: vscode.ExtensionContext,
    readonly panel: vscode.WebviewPanel,
    readonly title: string,
  ) {
    panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'icon.png');
    ComparePanel.open.add(this);
    ComparePanel.lastActive = this;
    void vscode.commands.executeCommand('setContext', 'embeddingLens.panelActive', true);
    panel.onDidChangeViewState((e) => {
      if (!e.webviewPanel.active) return;
      ComparePanel.lastActive = this;
      // Closing the last inspection panel clears the context; a compare panel in front sets it again.
      void vscode.commands.executeCommand('setContext', 'embeddingLens.panelActive', true);
    });
    panel.onDidDispose(() => this.dispose());
    panel.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw));
    void this.render();
  }

  private async render(): Promise<void> {
    const webview = this.panel.webview;
    const css = await readFile(vscode.Uri.joinPath(this.context.extensionUri, 'media', 'panel.css').fsPath, 'utf8');
    webview.html = panelHtml({
      mode: 'panel',
      cspSource: webview.cspSource,
      nonce: makeNonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'webview.js')).toString(),
      css,
      title: this.title,
      // The bundle picks the compare view from this before any message arrives.
      view: 'compare',
    });
  }

  onCancel(handler: () => void): vscode.Disposable {
    this.cancelHandlers.add(handler);
    return new vscode.Disposable(() => this.cancelHandlers.delete(handler));
  }

  /** The webview's toggle after a fine-tune: score the held-out classes only, or every item. */
  onItems(handler: (items: ItemsChoice) => void): vscode.Disposable {
    this.itemsHandlers.add(handler);
    return new vscode.Disposable(() => this.itemsHandlers.delete(handler));
  }

  /** One side's stage finished: its items and layouts go on so that side's map shows early. */
  sideStage(side: 'a' | 'b', stage: string, patch: InspectionPatch): void {
    if (this.data || (!patch.items && !patch.layout)) return;
    const early: InspectionPatch = {};
    if (patch.items) early.items = { ...patch.items, thumbnails: undefined };
    if (patch.layout) early.layout = patch.layout;
    this.post({ type: 'stage', stage: `${side.toUpperCase()}: ${stage}`, patch: early });
  }

  progress(stage: string, done: number, total: number, message?: string): void {
    this.post({ type: 'progress', stage, done, total, message });
  }

  done(): void {
    this.post({ type: 'done' });
  }

  error(message: string, file?: string): void {
    this.post({ type: 'error', message, file });
  }

  /** The finished comparison: kept as is, sent with thumbnails the webview may load. */
  async show(data: CompareData): Promise<void> {
    this.data = data;
    const items = data.a.items;
    this.webviewData = items ? { ...data, a: { ...data.a, items: { ...items, thumbnails: await this.thumbnails(itemPaths(data)) } } } : data;
    this.post({ type: 'initCompare', data: this.webviewData, state: this.viewState });
  }

  /** Files by webview URI; IDX items inline (they have no file of their own). */
  private async thumbnails(paths: string[]): Promise<string[]> {
    const webview = this.panel.webview;
    const inline = await thumbnailDataUris(paths, { files: false, limit: 50_000 });
    return paths.map((p, i) => inline[i] || (isAbsolute(p) && existsSync(p) ? webview.asWebviewUri(vscode.Uri.file(p)).toString() : ''));
  }

  private post(msg: Outgoing): void {
    if (this.isDisposed) return;
    if (!this.ready) {
      if (msg.type === 'progress') this.queue = this.queue.filter((m) => m.type !== 'progress');
      if (msg.type === 'initCompare') this.queue = this.queue.filter((m) => m.type !== 'stage');
      else this.queue.push(msg);
      return;
    }
    void postToWebview(this.panel, () => this.isDisposed, msg);
  }

  private receive(raw: unknown): void {
    let msg: WebviewToHost;
    try {
      msg = validateWebviewMessage(raw);
    } catch (err) {
      log.warn(`Ignored a compare webview message: ${(err as Error).message}`);
      return;
    }
    void this.handle(msg).catch((err: unknown) => {
      const requestId = 'requestId' in msg ? msg.requestId : undefined;
      const message = err instanceof Error ? err.message : String(err);
      log.error(`Compare panel request "${msg.type}" failed`, err);
      void postToWebview(this.panel, () => this.isDisposed, { type: 'error', message, requestId } satisfies HostToWebview);
    });
  }

  private async handle(msg: WebviewToHost): Promise<void> {
    switch (msg.type) {
      case 'ready': {
        this.viewState = msg.state ?? this.viewState;
        this.ready = true;
        // A (re)loaded webview gets the comparison (when done) and whatever else is pending.
        const pending = this.queue;
        this.queue = [];
        if (this.webviewData) await postToWebview(this.panel, () => this.isDisposed, { type: 'initCompare', data: this.webviewData, state: this.viewState } satisfies CompareMessage);
        for (const m of pending) await postToWebview(this.panel, () => this.isDisposed, m);
        return;
      }
      case 'state':
        this.viewState = msg.state;
        return;
      case 'neighbours':
      case 'queryImage':
        // The compare view reads both top-K tables it was given; it never asks for more.
        throw new Error('The compare panel answers no neighbour queries; open either checkpoint with Inspect Embeddings for that');
      case 'export': {
        const base = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(dirname(this.data?.a.source.checkpoint ?? '/'));
        const target = await vscode.window.showSaveDialog({
          defaultUri: vscode.Uri.joinPath(base, msg.fileName),
          title: `Export the comparison's ${msg.what === 'map' ? 'maps' : msg.what} as ${msg.format.toUpperCase()}`,
          filters: { [msg.format.toUpperCase()]: [msg.format] },
        });
        if (!target) throw new Error('Export cancelled');
        // Temp file + rename: a full disk or a crash mid-write never leaves a half file over the old one.
        await writeFileAtomic(target.fsPath, msg.content);
        log.info(`Exported comparison ${msg.what} to ${target.fsPath}`);
        await postToWebview(this.panel, () => this.isDisposed, { type: 'exportDone', requestId: msg.requestId, path: target.fsPath } satisfies HostToWebview);
        return;
      }
      case 'openItem': {
        const path = this.data ? itemPaths(this.data)[msg.index] : undefined;
        if (path && isAbsolute(path) && existsSync(path)) await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(path), vscode.ViewColumn.Beside);
        return;
      }
      case 'cancel':
        for (const h of this.cancelHandlers) h();
        return;
      case 'compareItems':
        for (const h of this.itemsHandlers) h(msg.items);
        return;
      case 'log':
        log[msg.level === 'info' ? 'info' : msg.level === 'warn' ? 'warn' : 'error'](`[compare panel] ${msg.message}`);
        return;
    }
  }

  dispose(): void {
    if (this.isDisposed) return;
    this.isDisposed = true;
    for (const h of this.cancelHandlers) h();
    this.itemsHandlers.clear();
    ComparePanel.open.delete(this);
    if (ComparePanel.lastActive === this) ComparePanel.lastActive = undefined;
    void vscode.commands.executeCommand('setContext', 'embeddingLens.panelActive', ComparePanel.open.size > 0 || InspectionPanel.all().length > 0);
    this.panel.dispose();
  }
}
