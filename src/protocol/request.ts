/**
 * The one request/reply helper of every panel, used on both sides of postMessage.
 *
 * The webview sends `{ type, requestId, ...fields }` and awaits the reply its table's descriptor
 * names (`{ type: reply.type, requestId, [reply.field]: result }`) or an `{ type: 'error',
 * requestId, message }`; the host answers through `answerRequest` from the same table, so the two
 * sides cannot disagree about which message answers which. No `vscode`, no DOM.
 */
import type { MessageOf, MessageTable, RequestFields, RequestType, ResultOf } from './registry';

/** The error reply every request may get instead of its result. */
export interface ErrorReply {
  type: 'error';
  message: string;
  requestId?: number;
}

/** The webview side: numbers requests, and settles each when its reply arrives. */
export class RequestClient<T extends MessageTable> {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  /** reply message type → the field holding the result */
  private readonly replies = new Map<string, string>();

  constructor(
    table: T,
    private readonly post: (msg: MessageOf<T>) => void,
  ) {
    for (const d of Object.values(table)) if ('reply' in d) this.replies.set(d.reply.type, d.reply.field);
  }

  request<K extends RequestType<T>>(type: K, fields: RequestFields<T, K>): Promise<ResultOf<T, K>> {
    const requestId = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(requestId, { resolve: resolve as (v: unknown) => void, reject });
      this.post({ ...fields, type, requestId } as unknown as MessageOf<T>);
    });
  }

  /**
   * Settles the request a host message answers. True when the message was a reply (the app never
   * sees replies); false when it is for the app — an error with no pending requestId included.
   */
  settle(msg: { type: string; requestId?: unknown; [field: string]: unknown }): boolean {
    const id = typeof msg.requestId === 'number' ? msg.requestId : undefined;
    const field = this.replies.get(msg.type);
    if (field !== undefined) {
      if (id !== undefined) this.take(id)?.resolve(msg[field]);
      return true;
    }
    if (msg.type === 'error' && id !== undefined && this.pending.has(id)) {
      this.take(id)!.reject(new Error(String(msg.message)));
      return true;
    }
    return false;
  }

  private take(id: number) {
    const p = this.pending.get(id);
    this.pending.delete(id);
    return p;
  }
}

/**
 * The host side: runs the work of request `msg` and posts its reply, or the error (message only)
 * when the work throws. Resolves with the error so the caller can log it; undefined on success.
 */
export async function answerRequest<T extends MessageTable, K extends RequestType<T>>(
  table: T,
  msg: { type: K; requestId: number },
  work: () => Promise<ResultOf<T, K>>,
  post: (reply: object) => Promise<unknown>,
): Promise<unknown> {
  const descriptor = table[msg.type];
  if (!('reply' in descriptor)) throw new Error(`"${msg.type}" is not a request`);
  try {
    const result = await work();
    await post({ type: descriptor.reply.type, requestId: msg.requestId, [descriptor.reply.field]: result });
    return undefined;
  } catch (err) {
    await post({ type: 'error', message: err instanceof Error ? err.message : String(err), requestId: msg.requestId } satisfies ErrorReply);
    return err;
  }
}
