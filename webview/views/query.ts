import type { InspectionData } from '../../src/protocol';
import type { Host } from '../host';
import type { Marks } from '../map/mapView';
import type { QueryState } from './context';

/** What running a neighbour query needs: the data, k, the host that answers, and who redraws. */
export interface QueryOwner {
  readonly data: InspectionData;
  readonly host: Pick<Host, 'mode' | 'neighbours' | 'queryImage'>;
  /** The query on show changed (asked, answered or failed): redraw the neighbours and the rings. */
  queryChanged(): void;
}

/**
 * The inspection's neighbour query: an item of the data or a dropped image, asked of the host; a
 * newer query wins over an older one still in flight.
 */
export class NeighbourQueries {
  current: QueryState | null = null;

  constructor(private owner: QueryOwner) {}

  /** Asks for item i's k nearest (in a report at most the precomputed table's depth). */
  item(i: number, k: number): void {
    const { data, host } = this.owner;
    const q: QueryState = { kind: 'item', index: i, pending: true };
    this.current = q;
    this.owner.queryChanged();
    const depth = host.mode === 'report' ? Math.min(k, data.neighbours?.k ?? k) : k;
    host.neighbours(data, i, depth).then(
      (r) => this.settle(q, { result: r }),
      (e: Error) => this.settle(q, { error: e.message }),
    );
  }

  /** Embeds an image file and asks for its k nearest items. */
  async image(f: File, k: number): Promise<void> {
    const q: QueryState = { kind: 'image', name: f.name, objectUrl: URL.createObjectURL(f), pending: true };
    if (this.current?.kind === 'image') URL.revokeObjectURL(this.current.objectUrl);
    this.current = q;
    this.owner.queryChanged();
    try {
      const bytes = new Uint8Array(await f.arrayBuffer());
      q.result = await this.owner.host.queryImage(f.name, bytes, k);
    } catch (e) {
      q.error = (e as Error).message;
    }
    q.pending = false;
    if (this.current === q) this.owner.queryChanged();
  }

  /** The rings on the map: the query, its results (hit = same class as the query), the hot row. */
  marks(hot: number | null): Marks {
    const q = this.current;
    const items = this.owner.data.items;
    const results = q?.result ? Array.from(q.result.indices) : [];
    const qcls = q?.kind === 'item' && items ? items.labels[q.index] : q?.result?.queryLabel;
    return {
      query: q?.kind === 'item' ? q.index : null,
      results,
      hits: results.map((i) => (qcls === undefined || !items ? true : items.labels[i] === qcls)),
      hot,
    };
  }

  private settle(q: QueryState, outcome: { result?: QueryState['result']; error?: string }): void {
    if (this.current !== q) return;
    Object.assign(q, outcome, { pending: false });
    this.owner.queryChanged();
  }
}
