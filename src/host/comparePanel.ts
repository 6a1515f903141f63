import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { dirname, isAbsolute } from 'node:path';
import {
  COMPARE_MESSAGES,
  validateCompareMessage,
  type CompareData,
  type CompareHostToWebview,
  type CompareViewState,
  type InspectionPatch,
  type ItemsChoice,
} from '../protocol';
import { itemPaths } from '../core/compare';
import { panelHtml } from '../core/report/panelHtml';
import { thumbnailDataUris } from '../core/report/thumbnails';
import { log } from './log';
import { createLensWebview, LensPanel, OpenPanels, type Handlers, type PanelKind } from './lensPanel';

export const COMPARE_VIEW_TYPE = 'embeddingLens.compare';

const COMPARE_PANEL: PanelKind<typeof COMPARE_MESSAGES> = {
  viewType: COMPARE_VIEW_TYPE,
  label: 'compare panel',
  table: COMPARE_MESSAGES,
  validate: validateCompareMessage,
  bundle: 'webview.js',
  css: ['panel.css'],
  // The same bundle as the inspection panel; it picks the compare view from data-view before any message arrives.
  page: (parts) => panelHtml({ mode: 'panel', ...parts, view: 'compare' }),
  reportable: true,
};

/** The compare view reads both top-K tables it was given; it never asks for more. */
function noNeighbourQueries(): never {
  throw new Error('The compare panel answers no neighbour queries; open either checkpoint with Inspect Embeddings for that');
}

/**
 * One Compare panel: shows progress while A and B are inspected, then the comparison in one
 * `initCompare`; keeps the comparison (with file paths, not webview URIs) for Export Report; and
 * answers the webview's exports and its held-out toggle. The page, the ready queue, validation and
 * dispatch are LensPanel's.
 */
export class ComparePanel extends LensPanel<typeof COMPARE_MESSAGES, CompareHostToWebview, CompareViewState> {
  private static readonly open = new OpenPanels<ComparePanel>();

  /** The comparison as the engine made it (thumbnails are file paths), once it is done. */
  data: CompareData | undefined;
  private webviewData: CompareData | undefined;
  private readonly cancelHandlers = new Set<() => void>();
  private readonly itemsHandlers = new Set<(items: ItemsChoice) => void>();

  /** The compare panel the user looked at last (Export Report from the palette). */
  static active(): ComparePanel | undefined {
    return ComparePanel.open.active();
  }

  static all(): ComparePanel[] {
    return ComparePanel.open.all();
  }

  static create(context: vscode.ExtensionContext, title: string, datasetRoots: string[]): ComparePanel {
    return new ComparePanel(context, createLensWebview(context, COMPARE_VIEW_TYPE, `Compare: ${title}`, datasetRoots), title);
  }

  constructor(
    context: vscode.ExtensionContext,
    panel: vscode.WebviewPanel,
    readonly title: string,
  ) {
    super(context, panel, COMPARE_PANEL, ComparePanel.open as OpenPanels<never>, title);
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
    this.webviewData = items
      ? { ...data, a: { ...data.a, items: { ...items, thumbnails: await this.thumbnails(itemPaths(data)) } } }
      : data;
    this.post({ type: 'initCompare', data: this.webviewData, state: this.viewState });
  }

  /** Files by webview URI; IDX items inline (they have no file of their own). */
  private async thumbnails(paths: string[]): Promise<string[]> {
    const webview = this.panel.webview;
    const inline = await thumbnailDataUris(paths, { files: false, limit: 50_000 });
    return paths.map((p, i) => inline[i] || (isAbsolute(p) && existsSync(p) ? webview.asWebviewUri(vscode.Uri.file(p)).toString() : ''));
  }

  /** A (re)loaded webview gets the comparison when it is done (early stages then wait in the queue). */
  protected replay(): CompareHostToWebview[] {
    return this.webviewData ? [{ type: 'initCompare', data: this.webviewData, state: this.viewState }] : [];
  }

  /** The comparison, once done, supersedes the early stages queued before it (replay sends it). */
  protected override queueUntilReady(queue: CompareHostToWebview[], msg: CompareHostToWebview): CompareHostToWebview[] {
    return msg.type === 'initCompare' ? queue.filter((m) => m.type !== 'stage') : super.queueUntilReady(queue, msg);
  }

  protected readonly handlers: Handlers<typeof COMPARE_MESSAGES> = {
    neighbours: noNeighbourQueries,
    queryImage: noNeighbourQueries,
    export: (msg) =>
      this.saveExport(msg, {
        folder: vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(dirname(this.data?.a.source.checkpoint ?? '/')),
        title: `Export the comparison's ${msg.what === 'map' ? 'maps' : msg.what} as ${msg.format.toUpperCase()}`,
        what: `comparison ${msg.what}`,
      }),
    openItem: (msg) => this.openItemFile(this.data ? itemPaths(this.data)[msg.index] : undefined),
    cancel: () => {
      for (const h of this.cancelHandlers) h();
    },
    compareItems: (msg) => {
      for (const h of this.itemsHandlers) h(msg.items);
    },
    // Only an inspection panel resumes a stopped UMAP; the shared webview code never sends it here.
    resumeUmap: () => {},
    log: (msg) => log[msg.level](`[compare panel] ${msg.message}`),
  };

  protected override onDispose(): void {
    for (const h of this.cancelHandlers) h();
    this.itemsHandlers.clear();
  }
}
