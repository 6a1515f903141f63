import * as vscode from 'vscode';
import { postToWebview } from './postToWebview';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../core/io/outputs';
import { dirname, isAbsolute } from 'node:path';
import {
  applyPatch,
  validateWebviewMessage,
  type HostToWebview,
  type InspectionData,
  type InspectionPatch,
  type PanelViewState,
  type WebviewToHost,
} from '../protocol';
import { nearestRows } from '../core/inspect/nearest';
import { ImageEmbedder } from '../core/inspect/queryImage';
import { thumbnailDataUris } from '../core/report/thumbnails';
import type { BackendSetting } from '../core/runtime/select';
import type { LabelledEmbeddings } from '../core/types';
import { displayName, distinguishingNames } from '../core/util/displayName';
import { log } from './log';
import { announceSaved } from './savedNotice';
import { makeNonce, panelHtml } from '../core/report/panelHtml';

export const INSPECTION_VIEW_TYPE = 'embeddingLens.inspection';

/** How the "Saved — Open / Reveal" notice names each export. */
const EXPORT_LABELS: Record<string, Partial<Record<string, string>>> = {
  map: { png: 'Map image' },
  metrics: { csv: 'Metrics (CSV)', json: 'Metrics (JSON)' },
  classes: { csv: 'Class table (CSV)', json: 'Class table (JSON)' },
};

/** What the host keeps per panel so it can answer queries the precomputed table cannot. */
export interface PanelEngine {
  embeddings: LabelledEmbeddings;
  normalize: boolean;
  checkpoint: string;
  backend: BackendSetting;
}

/**
 * One inspection panel: owns the webview, holds the latest InspectionData (so "Export Report" and a
 * reloaded webview get everything), queues messages until the webview says ready, and answers the
 * webview's requests after validating them (its content is untrusted).
 */
export class InspectionPanel {
  private static readonly open = new Set<InspectionPanel>();
  private static lastActive: InspectionPanel | undefined;

  data: InspectionData;
  viewState: PanelViewState | undefined;
  private ready = false;
  private queue: HostToWebview[] = [];
  private engine: PanelEngine | undefined;
  private embedder: ImageEmbedder | undefined;
  private readonly cancelHandlers = new Set<() => void>();
  private resumeHandler: (() => Promise<void>) | undefined;
  private resuming = false;
  private readonly disposed = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.disposed.event;
  private isDisposed = false;

  /** The panel the user looked at last (for Export Report from the palette). */
  static active(): InspectionPanel | undefined {
    return InspectionPanel.lastActive && !InspectionPanel.lastActive.isDisposed ? InspectionPanel.lastActive : [...InspectionPanel.open].pop();
  }

  static all(): InspectionPanel[] {
    return [...InspectionPanel.open];
  }

  static create(context: vscode.ExtensionContext, data: InspectionData, datasetRoots: string[]): InspectionPanel {
    const panel = vscode.window.createWebviewPanel(INSPECTION_VIEW_TYPE, `Embeddings: ${data.title}`, vscode.ViewColumn.Active, {
      enableScripts: true,
      retainContextWhenHidden: true,
      localResourceRoots: resourceRoots(context, datasetRoots),
    });
    return new InspectionPanel(context, panel, data);
  }

  constructor(
    private readonly context: vscode.ExtensionContext,
    readonly panel: vscode.WebviewPanel,
    data: InspectionData,
  ) {
    this.data = data;
    panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'icon.png');
    InspectionPanel.open.add(this);
    InspectionPanel.lastActive = this;
    void vscode.commands.executeCommand('setContext', 'embeddingLens.panelActive', true);
    panel.onDidChangeViewState((e) => {
      if (e.webviewPanel.active) InspectionPanel.lastActive = this;
    });
    panel.onDidDispose(() => this.dispose());
    panel.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw));
    InspectionPanel.retitle();
    void this.render();
  }

  /**
   * Tabs that would read the same ("Embeddings: cnn.onnx · big" for the original and its
   * fine-tune) name their checkpoints by the shortest path that tells them apart; the others keep
   * their plain title. Run whenever a panel opens or closes.
   */
  private static retitle(): void {
    const groups = new Map<string, InspectionPanel[]>();
    for (const p of InspectionPanel.open) groups.set(p.data.title, [...(groups.get(p.data.title) ?? []), p]);
    for (const [title, panels] of groups) {
      const names = distinguishingNames(panels.map((p) => p.data.source.checkpoint));
      panels.forEach((p, i) => {
        const ds = p.data.source.dataset;
        const wanted = `Embeddings: ${panels.length > 1 ? (ds ? `${names[i]} · ${displayName(ds)}` : names[i]) : title}`;
        if (p.panel.title !== wanted) p.panel.title = wanted;
      });
    }
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
      title: this.data.title,
    });
  }

  /** Registers what cancelling from the panel's own button should stop. */
  onCancel(handler: () => void): vscode.Disposable {
    this.cancelHandlers.add(handler);
    return new vscode.Disposable(() => this.cancelHandlers.delete(handler));
  }

  /** What the panel's Resume (of a stopped UMAP) runs; one at a time, repeated clicks ignored. */
  onResume(handler: () => Promise<void>): void {
    this.resumeHandler = handler;
  }

  setEngine(engine: PanelEngine): void {
    this.engine = engine;
  }

  /**
   * A stage finished: keep it and send it on, in order. File-backed items get webview URIs at once;
   * IDX items (no file of their own) get inline PNGs in a follow-up patch, so a large IDX dataset
   * never holds back the map.
   */
  patch(stage: string, patch: InspectionPatch): void {
    if (patch.items) {
      const webview = this.panel.webview;
      const paths = patch.items.paths;
      const thumbnails = paths.map((p) => (isAbsolute(p) && existsSync(p) ? webview.asWebviewUri(vscode.Uri.file(p)).toString() : ''));
      patch = { ...patch, items: { ...patch.items, thumbnails } };
      if (thumbnails.some((t) => t === '')) void this.inlineThumbnails(paths, thumbnails);
    }
    this.data = applyPatch(this.data, patch);
    this.post({ type: 'stage', stage, patch });
  }

  private async inlineThumbnails(paths: string[], fileUris: string[]): Promise<void> {
    const inline = await thumbnailDataUris(paths, { files: false, limit: 50_000 });
    if (!inline.some((t) => t !== '') || !this.data.items) return;
    const items = { ...this.data.items, thumbnails: fileUris.map((u, i) => u || inline[i]) };
    this.data = applyPatch(this.data, { items });
    this.post({ type: 'stage', stage: 'thumbnails', patch: { items } });
  }

  frame(coords: Float32Array, epoch: number, epochs: number): void {
    this.post({ type: 'layoutFrame', layout: 'umap', epoch, epochs, coords, final: false });
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

  private post(msg: HostToWebview): void {
    if (this.isDisposed) return;
    if (!this.ready) {
      // Until the webview is ready only the latest progress matters; stages and frames are kept.
      if (msg.type === 'progress' || msg.type === 'layoutFrame') {
        this.queue = this.queue.filter((m) => m.type !== msg.type);
      }
      this.queue.push(msg);
      return;
    }
    void postToWebview(this.panel, () => this.isDisposed, msg);
  }

  private receive(raw: unknown): void {
    let msg: WebviewToHost;
    try {
      msg = validateWebviewMessage(raw);
    } catch (err) {
      log.warn(`Ignored a webview message: ${(err as Error).message}`);
      return;
    }
    void this.handle(msg).catch((err: unknown) => {
      const requestId = 'requestId' in msg ? msg.requestId : undefined;
      const message = err instanceof Error ? err.message : String(err);
      log.error(`Panel request "${msg.type}" failed`, err);
      void postToWebview(this.panel, () => this.isDisposed, { type: 'error', message, requestId } satisfies HostToWebview);
    });
  }

  private async handle(msg: WebviewToHost): Promise<void> {
    switch (msg.type) {
      case 'ready': {
        this.viewState = msg.state ?? this.viewState;
        this.ready = true;
        // A (re)loaded webview gets everything known so far in one init, then whatever is queued.
        const pending = this.queue.filter((m) => m.type === 'progress' || m.type === 'done' || m.type === 'error');
        this.queue = [];
        await postToWebview(this.panel, () => this.isDisposed, { type: 'init', mode: 'panel', data: this.data, state: this.viewState } satisfies HostToWebview);
        for (const m of pending) await postToWebview(this.panel, () => this.isDisposed, m);
        return;
      }
      case 'state':
        this.viewState = msg.state;
        return;
      case 'neighbours': {
        const e = this.requireEngine();
        if (msg.index >= e.embeddings.n) throw new Error(`item ${msg.index} does not exist (the inspection has ${e.embeddings.n} items)`);
        const r = nearestRows(e.embeddings.vectors, e.embeddings.n, e.embeddings.dim, e.embeddings.vectors.subarray(msg.index * e.embeddings.dim, (msg.index + 1) * e.embeddings.dim), msg.k, { normalize: e.normalize, exclude: msg.index });
        await postToWebview(this.panel, () => this.isDisposed, {
          type: 'neighboursResult',
          requestId: msg.requestId,
          result: { query: { kind: 'item', index: msg.index }, queryLabel: e.embeddings.labels[msg.index], indices: r.indices, distances: r.distances },
        } satisfies HostToWebview);
        return;
      }
      case 'queryImage': {
        const e = this.requireEngine();
        this.embedder ??= new ImageEmbedder(e.checkpoint, e.backend);
        const vector = await this.embedder.embed(msg.name, msg.bytes);
        const r = nearestRows(e.embeddings.vectors, e.embeddings.n, e.embeddings.dim, vector, msg.k, { normalize: e.normalize });
        log.info(`Queried by image ${msg.name}: top ${msg.k} retrieved`);
        await postToWebview(this.panel, () => this.isDisposed, {
          type: 'neighboursResult',
          requestId: msg.requestId,
          result: { query: { kind: 'image', name: msg.name }, indices: r.indices, distances: r.distances },
        } satisfies HostToWebview);
        return;
      }
      case 'export': {
        const base = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(dirname(this.data.source.checkpoint));
        const target = await vscode.window.showSaveDialog({
          defaultUri: vscode.Uri.joinPath(base, msg.fileName),
          title: `Export ${msg.what} as ${msg.format.toUpperCase()}`,
          filters: { [msg.format.toUpperCase()]: [msg.format] },
        });
        if (!target) throw new Error('Export cancelled');
        // Temp file + rename: a full disk or a crash mid-write never leaves a half file over the old one.
        await writeFileAtomic(target.fsPath, msg.content);
        log.info(`Exported ${msg.what} to ${target.fsPath}`);
        await postToWebview(this.panel, () => this.isDisposed, { type: 'exportDone', requestId: msg.requestId, path: target.fsPath } satisfies HostToWebview);
        void announceSaved(EXPORT_LABELS[msg.what][msg.format] ?? `${msg.what} ${msg.format.toUpperCase()}`, target.fsPath).catch((err: unknown) => log.warn(`Could not open the export: ${(err as Error).message}`));
        return;
      }
      case 'openItem': {
        const path = this.data.items?.paths[msg.index];
        if (path && isAbsolute(path) && existsSync(path)) await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(path), vscode.ViewColumn.Beside);
        return;
      }
      case 'cancel':
        for (const h of this.cancelHandlers) h();
        return;
      case 'resumeUmap': {
        if (!this.resumeHandler) throw new Error('There is no stopped UMAP to resume in this panel');
        if (this.resuming) return;
        this.resuming = true;
        try {
          await this.resumeHandler();
        } finally {
          this.resuming = false;
        }
        return;
      }
      case 'log':
        log[msg.level === 'info' ? 'info' : msg.level === 'warn' ? 'warn' : 'error'](`[panel] ${msg.message}`);
        return;
    }
  }

  private requireEngine(): PanelEngine {
    if (!this.engine) throw new Error('The embeddings are not ready yet; wait for the first stage to finish');
    return this.engine;
  }

  dispose(): void {
    if (this.isDisposed) return;
    this.isDisposed = true;
    for (const h of this.cancelHandlers) h();
    InspectionPanel.open.delete(this);
    InspectionPanel.retitle();
    if (InspectionPanel.lastActive === this) InspectionPanel.lastActive = undefined;
    void vscode.commands.executeCommand('setContext', 'embeddingLens.panelActive', InspectionPanel.open.size > 0);
    void this.embedder?.dispose();
    this.disposed.fire();
    this.disposed.dispose();
    this.panel.dispose();
  }
}

export function resourceRoots(context: vscode.ExtensionContext, datasetRoots: string[]): vscode.Uri[] {
  return [
    vscode.Uri.joinPath(context.extensionUri, 'dist'),
    vscode.Uri.joinPath(context.extensionUri, 'media'),
    ...datasetRoots.filter((r) => r && isAbsolute(r)).map((r) => vscode.Uri.file(r)),
  ];
}
