/**
 * Just enough protobuf to read an ONNX graph's nodes and to expose an inner tensor as an extra
 * graph output (onnxruntime can only fetch graph outputs, and "penultimate layer" is an inner
 * tensor). Field numbers are from onnx.proto: ModelProto.graph = 7; GraphProto.node = 1,
 * initializer = 5, input = 11, output = 12; NodeProto.input = 1, output = 2, name = 3, op_type = 4.
 */
import type { GraphNode } from './graphWalk';

interface Field {
  no: number;
  wire: number;
  /** The whole field, tag included. */
  start: number;
  end: number;
  /** Payload of a length-delimited field. */
  dataStart: number;
}

function readVarint(buf: Uint8Array, pos: number): [number, number] {
  let result = 0;
  let mul = 1;
  for (;;) {
    if (pos >= buf.length) throw new Error('truncated varint');
    const b = buf[pos++];
    result += (b & 0x7f) * mul;
    if (b < 0x80) return [result, pos];
    mul *= 128;
    if (mul > 2 ** 63) throw new Error('varint too long');
  }
}

function fields(buf: Uint8Array, start = 0, end = buf.length): Field[] {
  const out: Field[] = [];
  let pos = start;
  while (pos < end) {
    const fStart = pos;
    const [tag, p1] = readVarint(buf, pos);
    pos = p1;
    const no = Math.floor(tag / 8);
    const wire = tag & 7;
    let dataStart = pos;
    if (wire === 0) [, pos] = readVarint(buf, pos);
    else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else if (wire === 2) {
      const [len, p2] = readVarint(buf, pos);
      dataStart = p2;
      pos = p2 + len;
    } else throw new Error(`unsupported protobuf wire type ${wire}`);
    if (pos > end) throw new Error('truncated protobuf field');
    out.push({ no, wire, start: fStart, end: pos, dataStart });
  }
  return out;
}

const text = (buf: Uint8Array, f: Field) => Buffer.from(buf.buffer, buf.byteOffset + f.dataStart, f.end - f.dataStart).toString('utf8');

function graphField(model: Uint8Array): Field {
  const g = fields(model).find((f) => f.no === 7 && f.wire === 2);
  if (!g) throw new Error('no graph in the ONNX model');
  return g;
}

export interface OnnxGraphInfo {
  nodes: GraphNode[];
  initializers: Set<string>;
  outputs: string[];
}

export function readOnnxGraph(model: Uint8Array): OnnxGraphInfo {
  const g = graphField(model);
  const nodes: GraphNode[] = [];
  const initializers = new Set<string>();
  const outputs: string[] = [];
  for (const f of fields(model, g.dataStart, g.end)) {
    if (f.wire !== 2) continue;
    if (f.no === 1) {
      const node: GraphNode = { name: '', op: '', inputs: [], outputs: [] };
      for (const nf of fields(model, f.dataStart, f.end)) {
        if (nf.wire !== 2) continue;
        if (nf.no === 1) node.inputs.push(text(model, nf));
        else if (nf.no === 2) node.outputs.push(text(model, nf));
        else if (nf.no === 3) node.name = text(model, nf);
        else if (nf.no === 4) node.op = text(model, nf);
      }
      nodes.push(node);
    } else if (f.no === 5) {
      const name = fields(model, f.dataStart, f.end).find((x) => x.no === 8 && x.wire === 2);
      if (name) initializers.add(text(model, name));
    } else if (f.no === 12) {
      const name = fields(model, f.dataStart, f.end).find((x) => x.no === 1 && x.wire === 2);
      if (name) outputs.push(text(model, name));
    }
  }
  return { nodes, initializers, outputs };
}

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 128) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

function lenField(no: number, payload: Uint8Array): Uint8Array {
  return Buffer.concat([Buffer.from(varint(no * 8 + 2)), Buffer.from(varint(payload.length)), payload]);
}

/** A copy of the model with `tensor` added as a float graph output (shape left for onnxruntime to infer). */
export function addGraphOutput(model: Uint8Array, tensor: string): Uint8Array {
  const g = graphField(model);
  // ValueInfoProto { name = 1; type = 2 { tensor_type = 1 { elem_type = 1: FLOAT (1) } } }
  const tensorType = Buffer.from([0x08, 0x01]);
  const typeProto = lenField(1, tensorType);
  const valueInfo = Buffer.concat([lenField(1, Buffer.from(tensor, 'utf8')), lenField(2, typeProto)]);
  const graph = Buffer.concat([Buffer.from(model.subarray(g.dataStart, g.end)), lenField(12, valueInfo)]);
  return Buffer.concat([Buffer.from(model.subarray(0, g.start)), lenField(7, graph), Buffer.from(model.subarray(g.end))]);
}

/** A tensor whose bytes live in a file beside the .onnx (TensorProto.data_location = EXTERNAL). */
export interface ExternalDataRef {
  tensor: string;
  location: string;
  offset: number;
  /** Undefined when the entry gives no length (the rest of the file). */
  length?: number;
}

// TensorProto: name = 8, external_data = 13 (StringStringEntryProto key = 1, value = 2), data_location = 14.
// Tensors sit in GraphProto.initializer (5), sparse_initializer (15: SparseTensorProto values = 1,
// indices = 2) and node attributes (NodeProto.attribute = 5: AttributeProto t = 5, g = 6,
// tensors = 10, graphs = 11, sparse_tensor = 22, sparse_tensors = 23), in subgraphs as deep as they
// go, and in ModelProto.functions (25: FunctionProto.node = 7).
const MAX_DEPTH = 64;

function tensorRef(buf: Uint8Array, f: Field, out: ExternalDataRef[]): void {
  let name = '';
  let external = false;
  const entries: Record<string, string> = {};
  for (const t of fields(buf, f.dataStart, f.end)) {
    if (t.no === 8 && t.wire === 2) name = text(buf, t);
    else if (t.no === 14 && t.wire === 0) external = readVarint(buf, t.dataStart)[0] === 1;
    else if (t.no === 13 && t.wire === 2) {
      let key = '';
      let value = '';
      for (const kv of fields(buf, t.dataStart, t.end)) {
        if (kv.wire !== 2) continue;
        if (kv.no === 1) key = text(buf, kv);
        else if (kv.no === 2) value = text(buf, kv);
      }
      entries[key] = value;
    }
  }
  // onnxruntime reads external_data whenever it is present, so "location" counts even without data_location.
  if (!external && entries.location === undefined) return;
  const num = (k: string) => (entries[k] === undefined ? undefined : Number(entries[k]));
  out.push({ tensor: name, location: entries.location ?? '', offset: num('offset') ?? 0, length: num('length') });
}

function scanGraph(buf: Uint8Array, g: Field, out: ExternalDataRef[], depth: number): void {
  if (depth > MAX_DEPTH) throw new Error(`subgraphs nested more than ${MAX_DEPTH} deep`);
  for (const f of fields(buf, g.dataStart, g.end)) {
    if (f.wire !== 2) continue;
    if (f.no === 5) tensorRef(buf, f, out);
    else if (f.no === 15) scanSparse(buf, f, out);
    else if (f.no === 1) scanNode(buf, f, out, depth);
  }
}

function scanSparse(buf: Uint8Array, f: Field, out: ExternalDataRef[]): void {
  for (const s of fields(buf, f.dataStart, f.end)) if (s.wire === 2 && (s.no === 1 || s.no === 2)) tensorRef(buf, s, out);
}

function scanNode(buf: Uint8Array, node: Field, out: ExternalDataRef[], depth: number): void {
  for (const a of fields(buf, node.dataStart, node.end)) {
    if (a.no !== 5 || a.wire !== 2) continue;
    for (const x of fields(buf, a.dataStart, a.end)) {
      if (x.wire !== 2) continue;
      if (x.no === 5 || x.no === 10) tensorRef(buf, x, out);
      else if (x.no === 22 || x.no === 23) scanSparse(buf, x, out);
      else if (x.no === 6 || x.no === 11) scanGraph(buf, x, out, depth + 1);
    }
  }
}

/** Every tensor of the model stored as external data, with where it says its bytes are. */
export function externalDataRefs(model: Uint8Array): ExternalDataRef[] {
  const out: ExternalDataRef[] = [];
  for (const f of fields(model)) {
    if (f.wire !== 2) continue;
    if (f.no === 7) scanGraph(model, f, out, 0);
    else if (f.no === 25) for (const n of fields(model, f.dataStart, f.end)) if (n.no === 7 && n.wire === 2) scanNode(model, n, out, 1);
  }
  return out;
}
