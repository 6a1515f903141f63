import {
  COMPARE_MESSAGES,
  decodeInspection,
  type ExportFormat,
  type ExportWhat,
  type HostToWebview,
  type InspectionData,
  type ItemsChoice,
  type NeighbourResult,
  type PanelMode,
  type PanelViewState,
} from '../src/protocol';
import { Channel, hasVsCodeApi } from './channel';

/**
 * Where the panel's data and services come from. In VS Code that is the extension host over
 * postMessage; in the self-contained HTML report it is data inlined in the page. The views only
 * ever talk to this interface, so a report and a Compare panel reuse them unchanged.
 */
export interface Host {
  readonly mode: PanelMode;
  /** Whether querying by an arbitrary image is possible (needs the model, so not in a report). */
  readonly canEmbedImages: boolean;
  readonly canCancel: boolean;
  /** Whether a stopped UMAP can be continued (the panel's engine is there; a report has none). */
  readonly canResume: boolean;
  /** View state saved before a reload (VS Code keeps it per panel), if any. */
  restoredState(): PanelViewState | undefined;
  /** Starts the handshake; messages arrive through the listener from then on. */
  start(listener: (msg: HostToWebview) => void): void;
  neighbours(data: InspectionData, index: number, k: number): Promise<NeighbourResult>;
  queryImage(name: string, bytes: Uint8Array, k: number): Promise<NeighbourResult>;
  save(what: ExportWhat, format: ExportFormat, fileName: string, content: string | Uint8Array): Promise<string>;
  openItem(index: number): void;
  cancel(): void;
  /** Continue the stopped UMAP (layout.umapPartial); its frames and stage arrive as usual. */
  resumeUmap(): void;
  /** Compare panel after a fine-tune: score the held-out classes or every item (absent in a report, which holds one). */
  compareItems?(items: ItemsChoice): void;
  saveState(state: PanelViewState): void;
  log(level: 'info' | 'warn' | 'error', message: string): void;
}

/** Neighbours from the precomputed top-K table, when it is deep enough. */
export function localNeighbours(data: InspectionData, index: number, k: number): NeighbourResult | null {
  const table = data.neighbours;
  const items = data.items;
  if (!table || !items || k > table.k || index < 0 || index >= items.n) return null;
  const start = index * table.k;
  return {
    query: { kind: 'item', index },
    queryLabel: items.labels[index],
    indices: table.indices.slice(start, start + k),
    distances: table.distances.slice(start, start + k),
  };
}

export { hasVsCodeApi };

/**
 * The map panels in VS Code. The shared views post what either panel accepts, so the channel is
 * typed by the compare panel's table: the inspection's plus its B side in the saved state and the
 * held-out toggle (each host validates against its own table).
 */
export class VsCodeHost implements Host {
  readonly mode: PanelMode = 'panel';
  readonly canEmbedImages = true;
  readonly canCancel = true;
  readonly canResume = true;
  private readonly channel = new Channel<typeof COMPARE_MESSAGES, HostToWebview, PanelViewState>(COMPARE_MESSAGES);

  restoredState(): PanelViewState | undefined {
    return this.channel.getState();
  }

  start(listener: (msg: HostToWebview) => void): void {
    this.channel.onMessage(listener);
    const saved = this.channel.getState();
    this.channel.post(saved ? { type: 'ready', state: saved } : { type: 'ready' });
  }

  neighbours(data: InspectionData, index: number, k: number): Promise<NeighbourResult> {
    const local = localNeighbours(data, index, k);
    if (local) return Promise.resolve(local);
    return this.channel.request('neighbours', { index, k });
  }

  queryImage(name: string, bytes: Uint8Array, k: number): Promise<NeighbourResult> {
    return this.channel.request('queryImage', { name, bytes, k });
  }

  save(what: ExportWhat, format: ExportFormat, fileName: string, content: string | Uint8Array): Promise<string> {
    return this.channel.request('export', { what, format, fileName, content });
  }

  openItem(index: number): void {
    this.channel.post({ type: 'openItem', index });
  }

  cancel(): void {
    this.channel.post({ type: 'cancel' });
  }

  resumeUmap(): void {
    this.channel.post({ type: 'resumeUmap' });
  }

  compareItems(items: ItemsChoice): void {
    this.channel.post({ type: 'compareItems', items });
  }

  saveState(state: PanelViewState): void {
    this.channel.setState(state);
  }

  log(level: 'info' | 'warn' | 'error', message: string): void {
    this.channel.post({ type: 'log', level, message });
  }
}

/** The HTML report: everything is in the page, exports are downloads. */
export class InlineHost implements Host {
  readonly canEmbedImages = false;
  readonly canCancel = false;
  readonly canResume = false;
  constructor(
    private data: InspectionData,
    readonly mode: PanelMode = 'report',
  ) {}

  static fromPage(id = 'lens-data'): InlineHost {
    const el = document.getElementById(id);
    if (!el?.textContent) throw new Error(`This report has no inlined data (no <script id="${id}">).`);
    return new InlineHost(decodeInspection(el.textContent));
  }

  restoredState(): PanelViewState | undefined {
    return undefined;
  }

  start(listener: (msg: HostToWebview) => void): void {
    // Delivered asynchronously, like the host's init, so the views are attached first.
    queueMicrotask(() => listener({ type: 'init', mode: this.mode, data: this.data }));
  }

  neighbours(data: InspectionData, index: number, k: number): Promise<NeighbourResult> {
    const local = localNeighbours(data, index, Math.min(k, data.neighbours?.k ?? 0));
    if (local) return Promise.resolve(local);
    return Promise.reject(new Error('This report holds no precomputed neighbours for that item.'));
  }

  queryImage(): Promise<NeighbourResult> {
    return Promise.reject(new Error('Querying by image needs the model: open the checkpoint in VS Code with Embedding Lens.'));
  }

  save(_what: ExportWhat, format: ExportFormat, fileName: string, content: string | Uint8Array): Promise<string> {
    const type = format === 'png' ? 'image/png' : format === 'csv' ? 'text/csv' : 'application/json';
    const blob = new Blob([content as BlobPart], { type });
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = fileName;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    return Promise.resolve(fileName);
  }

  openItem(): void {}
  cancel(): void {}
  resumeUmap(): void {}
  saveState(): void {}
  log(level: 'info' | 'warn' | 'error', message: string): void {
    console[level](message);
  }
}
