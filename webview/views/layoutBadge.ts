import { fill, h } from '../dom';

export interface UmapProgress {
  epoch: number;
  epochs: number;
}

/** What the badge calls: Resume, where the host can continue a stopped UMAP (a report cannot). */
export interface LayoutBadgeContext {
  readonly canResume: boolean;
  resumeUmap(): void;
}

/**
 * "partial layout (85/500)" over the map while it shows a stopped UMAP, with Resume where the host
 * can: a cancelled UMAP must not pass for a finished one.
 */
export class PartialLayoutBadge {
  readonly el = h('div', { class: 'layout-badge', role: 'status', hidden: true });
  /** Resume was asked for and no newer UMAP stage has arrived yet. */
  private resuming = false;
  private partial: UmapProgress | undefined;
  private shown = false;

  constructor(private ctx: LayoutBadgeContext) {}

  /** A new layout arrived from the host: whatever was resumed has answered. */
  layoutArrived(): void {
    this.resuming = false;
  }

  update(partial: UmapProgress | undefined, showingUmap: boolean): void {
    this.partial = partial;
    this.shown = showingUmap;
    this.el.hidden = !partial || !showingUmap;
    if (!partial) return;
    const where = `${partial.epoch.toLocaleString('en-US')}/${partial.epochs.toLocaleString('en-US')}`;
    fill(
      this.el,
      h(
        'span',
        { title: `UMAP was stopped after ${partial.epoch} of ${partial.epochs} epochs: clusters may still be merging or spreading` },
        this.resuming ? `resuming layout (${where})…` : `partial layout (${where})`,
      ),
      this.ctx.canResume && !this.resuming
        ? h('button', { type: 'button', class: 'button', onclick: () => this.resume() }, 'Resume')
        : null,
    );
  }

  private resume(): void {
    this.resuming = true;
    this.ctx.resumeUmap();
    this.update(this.partial, this.shown);
  }
}
