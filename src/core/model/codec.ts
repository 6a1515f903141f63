/**
 * JSON text of the data model with typed arrays as base64: the HTML report's inlined data and the
 * panels' saved state. Also the one place a stage's patch is applied.
 */
import type { CompareData } from './compare';
import type { InspectionData, InspectionPatch } from './inspection';

type TypedKind = 'f32' | 'i32' | 'u8';
interface EncodedTyped {
  $typed: TypedKind;
  b64: string;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = (() => {
  const t = new Int16Array(128).fill(-1);
  for (let i = 0; i < B64.length; i++) t[B64.charCodeAt(i)] = i;
  return t;
})();

export function bytesToBase64(b: Uint8Array): string {
  const parts: string[] = [];
  // Chunked so that huge arrays never build one giant intermediate array of characters.
  const CHUNK = 3 * 16384;
  for (let start = 0; start < b.length; start += CHUNK) {
    const end = Math.min(b.length, start + CHUNK);
    let s = '';
    let i = start;
    for (; i + 2 < end; i += 3) {
      const v = (b[i] << 16) | (b[i + 1] << 8) | b[i + 2];
      s += B64[v >> 18] + B64[(v >> 12) & 63] + B64[(v >> 6) & 63] + B64[v & 63];
    }
    if (i < end) {
      const rest = end - i;
      const v = (b[i] << 16) | (rest > 1 ? b[i + 1] << 8 : 0);
      s += B64[v >> 18] + B64[(v >> 12) & 63] + (rest > 1 ? B64[(v >> 6) & 63] : '=') + '=';
    }
    parts.push(s);
  }
  return parts.join('');
}

export function base64ToBytes(s: string): Uint8Array {
  // The platform decoder (browsers, Node ≥ 16) is several times faster than the loop below.
  const atobFn = (globalThis as { atob?: (s: string) => string }).atob;
  if (atobFn) {
    let bin: string;
    try {
      bin = atobFn(s);
    } catch {
      throw new Error('invalid base64');
    }
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }
  const clean = s.replace(/=+$/, '');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let o = 0;
  for (let i = 0; i < clean.length; i += 4) {
    const c0 = B64_INDEX[clean.charCodeAt(i)] ?? -1;
    const c1 = B64_INDEX[clean.charCodeAt(i + 1)] ?? -1;
    const c2 = i + 2 < clean.length ? (B64_INDEX[clean.charCodeAt(i + 2)] ?? -1) : 0;
    const c3 = i + 3 < clean.length ? (B64_INDEX[clean.charCodeAt(i + 3)] ?? -1) : 0;
    if (c0 < 0 || c1 < 0 || c2 < 0 || c3 < 0) throw new Error(`invalid base64 at offset ${i}`);
    const v = (c0 << 18) | (c1 << 12) | (c2 << 6) | c3;
    out[o++] = v >> 16;
    if (o < out.length) out[o++] = (v >> 8) & 255;
    if (o < out.length) out[o++] = v & 255;
  }
  return out;
}

function encodeTyped(v: Float32Array | Int32Array | Uint8Array): EncodedTyped {
  const kind: TypedKind = v instanceof Float32Array ? 'f32' : v instanceof Int32Array ? 'i32' : 'u8';
  // Little-endian on every platform VS Code runs on; the report is read back by the same layout.
  return { $typed: kind, b64: bytesToBase64(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)) };
}

function decodeTyped(e: EncodedTyped): Float32Array | Int32Array | Uint8Array {
  const b = base64ToBytes(e.b64);
  const buf = b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
  if (e.$typed === 'f32') return new Float32Array(buf);
  if (e.$typed === 'i32') return new Int32Array(buf);
  return new Uint8Array(buf);
}

/**
 * JSON text of an InspectionData with typed arrays as base64, safe to place inside
 * `<script type="application/json">` (no `<`, so no `</script>` or `<!--` can appear).
 */
export function encodeInspection(data: InspectionData): string {
  const json = JSON.stringify(data, (_key, value: unknown) =>
    value instanceof Float32Array || value instanceof Int32Array || value instanceof Uint8Array
      ? encodeTyped(value)
      : Array.isArray(value)
        ? (prefixed(value) ?? value)
        : value,
  );
  return json
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * A long list of strings sharing a prefix (a million item paths under one dataset folder) stored as
 * the prefix once and the rest of each string: at 10^6 items the paths shrink from ~86 to ~20 MB.
 */
interface PrefixedStrings {
  $prefixed: string;
  rest: string[];
}

/** Lists shorter than this, or with a shorter shared prefix, are left as they are. */
const PREFIX_MIN_ITEMS = 64;
const PREFIX_MIN_CHARS = 8;

function prefixed(list: unknown[]): PrefixedStrings | undefined {
  if (list.length < PREFIX_MIN_ITEMS || typeof list[0] !== 'string') return undefined;
  let prefix = list[0];
  for (const s of list) {
    if (typeof s !== 'string') return undefined;
    if (!s.startsWith(prefix)) {
      let i = 0;
      while (i < prefix.length && i < s.length && prefix.charCodeAt(i) === s.charCodeAt(i)) i++;
      prefix = prefix.slice(0, i);
    }
  }
  if (prefix.length < PREFIX_MIN_CHARS) return undefined;
  return { $prefixed: prefix, rest: (list as string[]).map((s) => s.slice(prefix.length)) };
}

export function decodeInspection(text: string): InspectionData {
  // A walk after a plain parse: a JSON.parse reviver is called for every one of hundreds of
  // thousands of path strings and makes a large report open several times slower.
  const revive = (v: unknown): unknown => {
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) if (typeof v[i] === 'object' && v[i] !== null) v[i] = revive(v[i]);
      return v;
    }
    if (!isObject(v)) return v;
    if (typeof v.$typed === 'string' && typeof v.b64 === 'string') return decodeTyped(v as unknown as EncodedTyped);
    if (typeof v.$prefixed === 'string' && Array.isArray(v.rest)) {
      const prefix = v.$prefixed;
      return (v.rest as unknown[]).map((s) => prefix + String(s));
    }
    for (const k of Object.keys(v)) if (typeof v[k] === 'object' && v[k] !== null) v[k] = revive(v[k]);
    return v;
  };
  return revive(JSON.parse(text)) as InspectionData;
}

/** Applies one stage's patch (what the panel does on a 'stage' message; the host may keep a copy too). */
export function applyPatch(data: InspectionData, patch: InspectionPatch): InspectionData {
  const next: InspectionData = { ...data, ...patch };
  if (patch.layout) next.layout = { ...data.layout, ...patch.layout };
  return next;
}

/** A plain object (not null, not an array): the shape check the decoder and the message validators share. */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function encodeCompare(data: CompareData): string {
  return encodeInspection(data as unknown as InspectionData);
}

export function decodeCompare(text: string): CompareData {
  return decodeInspection(text) as unknown as CompareData;
}
