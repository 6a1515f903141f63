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
