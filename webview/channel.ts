/**
 * The webview side of a panel's message channel: wraps acquireVsCodeApi (which VS Code lets a page
 * call once) and pairs requests with their replies through the protocol's one helper
 * (src/protocol/request.ts). Typed by the panel's messages and its saved-state kind, so each app
 * (inspection, compare, training) posts, requests and saves only what its host accepts.
 */
import { RequestClient } from '../src/protocol/request';
import type { MessageOf, MessageTable, RequestFields, RequestType, ResultOf } from '../src/protocol/registry';

interface VsCodeApi {
  postMessage(msg: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

let api: VsCodeApi | undefined;

/** Whether the page runs in a VS Code webview (a report opened in a browser does not). */
export function hasVsCodeApi(): boolean {
  return typeof (globalThis as { acquireVsCodeApi?: unknown }).acquireVsCodeApi === 'function';
}

function vscodeApi(): VsCodeApi | undefined {
  if (!api && hasVsCodeApi()) api = acquireVsCodeApi();
  return api;
}

/**
 * One panel's channel. `ToHost` is the panel's webview→host table, `FromHost` its host→webview
 * union, `State` its saved view state. Outside VS Code (a page under test without the stub, a report)
 * posting does nothing and there is no saved state.
 */
export class Channel<ToHost extends MessageTable, FromHost extends { type: string }, State> {
  private readonly requests: RequestClient<ToHost>;

  constructor(table: ToHost) {
    this.requests = new RequestClient(table, (msg) => this.post(msg));
  }

  post(msg: MessageOf<ToHost>): void {
    vscodeApi()?.postMessage(msg);
  }

  /** Sends request `type` and resolves with its reply's result (rejects with the host's error). */
  request<K extends RequestType<ToHost>>(type: K, fields: RequestFields<ToHost, K>): Promise<ResultOf<ToHost, K>> {
    return this.requests.request(type, fields);
  }

  /** Host messages other than replies (those settle their request and go no further). */
  onMessage(listener: (msg: FromHost) => void): void {
    window.addEventListener('message', (ev: MessageEvent) => {
      const msg = ev.data as FromHost;
      if (!msg || typeof msg !== 'object' || typeof msg.type !== 'string') return;
      if (!this.requests.settle(msg as unknown as { type: string })) listener(msg);
    });
  }

  getState(): State | undefined {
    return (vscodeApi()?.getState() as State | null | undefined) ?? undefined;
  }

  setState(state: State): void {
    vscodeApi()?.setState(state);
  }
}
