/**
 * One descriptor per message, one registry that turns a raw message into a typed one.
 *
 * A panel's webview→host messages are a const table: type name → descriptor. A descriptor reads the
 * message's fields (checks in ./fields.ts) and, for a request, names the reply that answers it, so
 * the webview's `request()` and the host's answer (./request.ts) pair them by requestId from the same
 * table. The message union is derived from the table: adding a message is one line in one place.
 */
import { int, isObject, ProtocolError, type Fields } from './fields';

/** A message that is not a request: how to read its fields (only the known ones are kept). */
export interface MessageDescriptor<F extends object> {
  read(o: Fields): F;
}

/** How the host answers a request: the reply message's type and the field holding the result. */
export interface ReplyDescriptor<R> {
  type: string;
  field: string;
  /** Never set: carries the result's type to `request()` and to the host's handler. */
  readonly result?: R;
}

/** A request: its fields plus the requestId its reply (or error) is matched by. */
export interface RequestDescriptor<F extends object, R> extends MessageDescriptor<F & { requestId: number }> {
  reply: ReplyDescriptor<R>;
}

export type Descriptor = MessageDescriptor<object> | RequestDescriptor<object, unknown>;
export type MessageTable = Record<string, Descriptor>;

export const message = <F extends object>(read: (o: Fields) => F): MessageDescriptor<F> => ({ read });
/** A message with no fields besides its type. */
export const bare = (): MessageDescriptor<object> => message(() => ({}));
export const reply = <R>(type: string, field: string): ReplyDescriptor<R> => ({ type, field });

export function request<F extends object, R>(read: (o: Fields) => F, answer: ReplyDescriptor<R>): RequestDescriptor<F, R> {
  return { read: (o) => ({ requestId: int(o, 'requestId', 0, Number.MAX_SAFE_INTEGER), ...read(o) }), reply: answer };
}

type FieldsOf<D> = D extends MessageDescriptor<infer F> ? F : never;

/** The typed messages a table accepts, as a union discriminated by `type`. */
export type MessageOf<T extends MessageTable> = { [K in keyof T & string]: { type: K } & FieldsOf<T[K]> }[keyof T & string];

/** The message types of a table that are requests. */
export type RequestType<T extends MessageTable> = {
  [K in keyof T & string]: T[K] extends RequestDescriptor<object, unknown> ? K : never;
}[keyof T & string];

/** What the reply to request K carries. */
export type ResultOf<T extends MessageTable, K extends keyof T> = T[K] extends RequestDescriptor<object, infer R> ? R : never;

/** The fields a caller gives `request()`: the message's own, without type and requestId. */
export type RequestFields<T extends MessageTable, K extends keyof T> = Omit<FieldsOf<T[K]>, 'requestId'>;

export interface RegistryOptions {
  /** Makes the error (a panel names itself: "Invalid training-panel message: …"). */
  fail?: (message: string) => ProtocolError;
  /**
   * Refuse fields no descriptor reads instead of dropping them: for a panel whose messages carry
   * nothing, an extra field means a webview out of step with this host.
   */
  rejectExtraFields?: boolean;
}

/** typeof, except null and arrays, which are objects to typeof but not to a message. */
function kindOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
}

/**
 * The registry of one table: checks a raw message from a webview (untrusted) and returns it typed,
 * with only the known fields copied. Throws a ProtocolError naming the first bad field. Item
 * indices are range-checked by the handler, which knows n.
 */
export function messageRegistry<T extends MessageTable>(table: T, options: RegistryOptions = {}): (raw: unknown) => MessageOf<T> {
  const fail = options.fail ?? ((m: string) => new ProtocolError(m));
  const types = Object.keys(table);
  return (raw) => {
    if (!isObject(raw)) throw fail(`expected an object, got ${kindOf(raw)}`);
    const type = raw.type;
    if (typeof type !== 'string' || !Object.hasOwn(table, type)) {
      const got = typeof type === 'string' ? JSON.stringify(type.slice(0, 40)) : kindOf(type);
      throw fail(`unknown message type: "type" must be one of ${types.join(', ')}, got ${got}`);
    }
    let fields: object;
    try {
      fields = table[type].read(raw);
    } catch (err) {
      throw err instanceof ProtocolError && options.fail ? fail(err.message.replace(/^[^:]*: /, '')) : err;
    }
    if (options.rejectExtraFields) {
      const extra = Object.keys(raw).filter((k) => k !== 'type' && !Object.hasOwn(fields, k));
      if (extra.length) {
        const known = Object.keys(fields);
        throw fail(`"${type}" takes ${known.length ? `only ${known.join(', ')}` : 'no fields'}, got ${extra.slice(0, 5).join(', ')}`);
      }
    }
    return { type, ...fields } as MessageOf<T>;
  };
}
