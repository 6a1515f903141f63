import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { dirname, isAbsolute } from 'node:path';
import {
  applyPatch,
  INSPECTION_MESSAGES,
  validateWebviewMessage,
  type InspectionData,
  type InspectionHostToWebview,
  type InspectionPatch,
  type InspectionViewState,
} from '../protocol';
import { nearestRows } from '../core/inspect/nearest';
import { ImageEmbedder } from '../core/inspect/queryImage';
import { thumbnailDataUris } from '../core/report/thumbnails';
import type { BackendSetting } from '../core/runtime/select';
import type { LabelledEmbeddings } from '../core/types';
import { displayName, distinguishingNames } from '../core/util/displayName';
import { panelHtml } from '../core/report/panelHtml';
import { log } from './log';
import { createLensWebview, LensPanel, OpenPanels, type Handlers, type PanelKind } from './lensPanel';

export { resourceRoots } from './lensPanel';

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

const INSPECTION_PANEL: PanelKind<typeof INSPECTION_MESSAGES> = {
  viewType: INSPECTION_VIEW_TYPE,
  label: 'inspection panel',
  table: INSPECTION_MESSAGES,
  validate: validateWebviewMessage,
  bundle: 'webview.js',
  css: ['panel.css'],
  page: (parts) => panelHtml({ mode: 'panel', ...parts }),
  reportable: true,
};

/**
 * One inspection panel: holds the latest InspectionData (so "Export Report" and a reloaded webview
 * get everything) and answers the webview's requests: neighbours beyond the precomputed table, a
 * query by image, exports, opening an item, cancel and resume. The page, the ready queue,
 * validation and dispatch are LensPanel's.
 */
export class InspectionPanel extends LensPanel<typeof INSPECTION_MESSAGES, InspectionHostToWebview, InspectionViewState> {
  private static readonly open = new OpenPanels<InspectionPanel>();

  data: InspectionData;
  private engine: PanelEngine | undefined;
  private embedder: ImageEmbedder | undefined;
  private readonly cancelHandlers = new Set<() => void>();
  private resumeHandler: (() => Promise<void>) | undefined;
  private resuming = false;

  /** The panel the user looked at last (for Export Report from the palette). */
  static active(): InspectionPanel | undefined {
    return InspectionPanel.open.active();
  }

  static all(): InspectionPanel[] {
    return InspectionPanel.open.all();
  }

  static create(context: vscode.ExtensionContext, data: InspectionData, datasetRoots: string[]): InspectionPanel {
    return new InspectionPanel(context, createLensWebview(context, INSPECTION_VIEW_TYPE, `Embeddings: ${data.title}`, datasetRoots), data);
  }

  constructor(context: vscode.ExtensionContext, panel: vscode.WebviewPanel, data: InspectionData) {
    super(context, panel, INSPECTION_PANEL, InspectionPanel.open as OpenPanels<never>, data.title);
    this.data = data;
    InspectionPanel.retitle();
  }

  /**
   * Tabs that would read the same ("Embeddings: cnn.onnx · big" for the original and its
   * fine-tune) name their checkpoints by the shortest path that tells them apart; the others keep
   * their plain title. Run whenever a panel opens or closes.
   */
  private static retitle(): void {
    const groups = new Map<string, InspectionPanel[]>();
    for (const p of InspectionPanel.open.all()) groups.set(p.data.title, [...(groups.get(p.data.title) ?? []), p]);
    for (const [title, panels] of groups) {
      const names = distinguishingNames(panels.map((p) => p.data.source.checkpoint));
      panels.forEach((p, i) => {
        const ds = p.data.source.dataset;
        const wanted = `Embeddings: ${panels.length > 1 ? (ds ? `${names[i]} · ${displayName(ds)}` : names[i]) : title}`;
        if (p.panel.title !== wanted) p.panel.title = wanted;
      });
    }
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

  /** A (re)loaded webview gets the whole inspection so far in one init. */
  protected replay(): InspectionHostToWebview[] {
    return [{ type: 'init', mode: 'panel', data: this.data, state: this.viewState }];
  }

  /** Stages and frames are in `data` (the init carries them): only progress (the latest), done and errors wait. */
  protected override queueUntilReady(queue: InspectionHostToWebview[], msg: InspectionHostToWebview): InspectionHostToWebview[] {
    return msg.type === 'stage' || msg.type === 'layoutFrame' ? queue : super.queueUntilReady(queue, msg);
  }

  protected readonly handlers: Handlers<typeof INSPECTION_MESSAGES> = {
    neighbours: (msg) => {
      const e = this.requireEngine();
      if (msg.index >= e.embeddings.n) throw new Error(`item ${msg.index} does not exist (the inspection has ${e.embeddings.n} items)`);
      const r = nearestRows(
        e.embeddings.vectors,
        e.embeddings.n,
        e.embeddings.dim,
        e.embeddings.vectors.subarray(msg.index * e.embeddings.dim, (msg.index + 1) * e.embeddings.dim),
        msg.k,
        { normalize: e.normalize, exclude: msg.index },
      );
      return {
        query: { kind: 'item', index: msg.index },
        queryLabel: e.embeddings.labels[msg.index],
        indices: r.indices,
        distances: r.distances,
      };
    },
    queryImage: async (msg) => {
      const e = this.requireEngine();
      this.embedder ??= new ImageEmbedder(e.checkpoint, e.backend);
      const vector = await this.embedder.embed(msg.name, msg.bytes);
      const r = nearestRows(e.embeddings.vectors, e.embeddings.n, e.embeddings.dim, vector, msg.k, { normalize: e.normalize });
      log.info(`Queried by image ${msg.name}: top ${msg.k} retrieved`);
      return { query: { kind: 'image', name: msg.name }, indices: r.indices, distances: r.distances };
    },
    export: (msg) =>
      this.saveExport(msg, {
        folder: vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(dirname(this.data.source.checkpoint)),
        title: `Export ${msg.what} as ${msg.format.toUpperCase()}`,
        what: msg.what,
        announce: EXPORT_LABELS[msg.what][msg.format] ?? `${msg.what} ${msg.format.toUpperCase()}`,
      }),
    openItem: (msg) => this.openItemFile(this.data.items?.paths[msg.index]),
    cancel: () => {
      for (const h of this.cancelHandlers) h();
    },
    resumeUmap: async () => {
      if (!this.resumeHandler) throw new Error('There is no stopped UMAP to resume in this panel');
      if (this.resuming) return;
      this.resuming = true;
      try {
        await this.resumeHandler();
      } finally {
        this.resuming = false;
      }
    },
    // Only a compare panel scores held-out classes; the shared webview code never sends it here.
    compareItems: () => {},
    log: (msg) => log[msg.level](`[panel] ${msg.message}`),
  };

  private requireEngine(): PanelEngine {
    if (!this.engine) throw new Error('The embeddings are not ready yet; wait for the first stage to finish');
    return this.engine;
  }

  protected override onDispose(): void {
    for (const h of this.cancelHandlers) h();
    void this.embedder?.dispose();
    InspectionPanel.retitle();
  }
}
