/** A computation-graph node reduced to what output selection needs (tfjs GraphModel and ONNX alike). */
export interface GraphNode {
  name: string;
  op: string;
  inputs: string[];
  outputs: string[];
}

const SOFTMAX = new Set(['softmax', 'logsoftmax', 'sigmoid']);
const BIAS = new Set(['biasadd', 'add', 'addv2']);
const DENSE = new Set(['matmul', 'gemm', 'batchmatmul', 'batchmatmulv2']);

/** tfjs names inputs "node:0" and control inputs "^node"; ONNX uses tensor names as they are. */
const tensorName = (s: string) => s.replace(/^\^/, '').replace(/:0$/, '');

export function producerOf(nodes: GraphNode[], tensor: string): GraphNode | undefined {
  const t = tensorName(tensor);
  return nodes.find((n) => n.outputs.some((o) => tensorName(o) === t));
}

export function endsInSoftmax(nodes: GraphNode[], output: string): boolean {
  const n = producerOf(nodes, output);
  return n !== undefined && SOFTMAX.has(n.op.toLowerCase());
}

/**
 * The penultimate layer of a classifier: walk back from the output through a trailing softmax
 * and bias add to the final dense op (MatMul/Gemm), and return the tensor that op consumes —
 * the features the classifier head reads. `undefined` when the graph does not end in a dense op.
 */
export function penultimateTensor(nodes: GraphNode[], output: string, constants: Set<string>): string | undefined {
  let n = producerOf(nodes, output);
  if (n && SOFTMAX.has(n.op.toLowerCase())) n = producerOf(nodes, n.inputs[0]);
  if (n && BIAS.has(n.op.toLowerCase())) {
    const data = n.inputs.map(tensorName).find((i) => !constants.has(i) && producerOf(nodes, i) !== undefined);
    n = data ? producerOf(nodes, data) : undefined;
  }
  if (!n || !DENSE.has(n.op.toLowerCase())) return undefined;
  const feature = n.inputs.map(tensorName).find((i) => !constants.has(i));
  return feature;
}
