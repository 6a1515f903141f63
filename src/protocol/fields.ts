/**
 * Field checks for messages from a webview (untrusted: their content came from a web page). Each
 * check returns the value typed or throws a ProtocolError naming the field, so the message tables in
 * this folder read as one line per field. No `vscode`, no DOM, no Node APIs: both sides import it.
 */
import { isObject } from '../core/model';

export { isObject };

/** A message from a webview that does not match the protocol. */
export class ProtocolError extends Error {
  constructor(message: string, prefix = 'Invalid webview message') {
    super(`${prefix}: ${message}`);
    this.name = 'ProtocolError';
  }
}

/** Caps that keep a compromised or buggy webview from making the host allocate or write huge things. */
export const LIMITS = {
  maxK: 1000,
  maxImageBytes: 50 * 1024 * 1024,
  maxExportBytes: 200 * 1024 * 1024,
  maxString: 4096,
  maxStateIndices: 1_000_000,
} as const;

/** A message's fields, already known to be an object. */
export type Fields = Record<string, unknown>;

/** How a bad value is named in an error: short, and never the whole of a huge string. */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return v.length > 40 ? `a string of ${v.length} characters` : JSON.stringify(v);
  if (typeof v === 'number') return String(v);
  return typeof v;
}

export function int(o: Fields, key: string, min: number, max: number): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new ProtocolError(`"${key}" must be an integer in [${min}, ${max}], got ${describe(v)}`);
  }
  return v;
}

/** An item or class index: the caller, which knows n, checks the upper bound. */
export const index = (o: Fields, key: string): number => int(o, key, 0, 2 ** 31 - 1);

export function str(o: Fields, key: string, maxLen: number = LIMITS.maxString): string {
  const v = o[key];
  if (typeof v !== 'string' || v.length > maxLen) {
    throw new ProtocolError(`"${key}" must be a string of at most ${maxLen} characters, got ${describe(v)}`);
  }
  return v;
}

export function oneOf<T extends string>(o: Fields, key: string, allowed: readonly T[]): T {
  const v = o[key];
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw new ProtocolError(`"${key}" must be one of ${allowed.join(', ')}, got ${describe(v)}`);
  }
  return v as T;
}

/** File names only: a webview must never choose a directory to write into. */
export function fileName(o: Fields, key = 'fileName'): string {
  const v = str(o, key, 255);
  if (v.length === 0 || /[\\/\0]/.test(v) || v === '.' || v === '..') {
    throw new ProtocolError(`"${key}" must be a bare file name, got ${describe(v)}`);
  }
  return v;
}

export function bytes(o: Fields, key: string, max: number): Uint8Array {
  const v = o[key];
  // Structured clone may deliver a typed array or, from some hosts, a bare ArrayBuffer.
  if (v instanceof Uint8Array) {
    if (v.byteLength > max) throw new ProtocolError(`"${key}" is larger than ${max} bytes`);
    return v;
  }
  if (v instanceof ArrayBuffer) {
    if (v.byteLength > max) throw new ProtocolError(`"${key}" is larger than ${max} bytes`);
    return new Uint8Array(v);
  }
  throw new ProtocolError(`"${key}" must be a Uint8Array, got ${describe(v)}`);
}

export function indexList(o: Fields, key: string): number[] {
  const v = o[key];
  if (!Array.isArray(v) || v.length > LIMITS.maxStateIndices) {
    throw new ProtocolError(`"${key}" must be an array of at most ${LIMITS.maxStateIndices} indices`);
  }
  for (const x of v) {
    if (typeof x !== 'number' || !Number.isInteger(x) || x < 0) {
      throw new ProtocolError(`"${key}" must hold non-negative integers, found ${describe(x)}`);
    }
  }
  return v as number[];
}

/** null or an index (an isolated class, a queried item). */
export function indexOrNull(o: Fields, key: string, what: string): number | null {
  const v = o[key];
  if (v !== null && !(typeof v === 'number' && Number.isInteger(v) && v >= 0)) {
    throw new ProtocolError(`"${key}" must be null or ${what}`);
  }
  return v as number | null;
}

export function finite(o: Fields, key: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ProtocolError(`"${key}" must be a finite number`);
  return v;
}

/** A nested object field, checked by `read`; undefined when absent (optional fields). */
export function optionalObject<T>(o: Fields, key: string, read: (v: Fields) => T): T | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (!isObject(v)) throw new ProtocolError(`"${key}" must be an object, got ${describe(v)}`);
  return read(v);
}
