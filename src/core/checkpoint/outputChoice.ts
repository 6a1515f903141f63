import type { Layout, OutputChoice, OutputPool } from './config';
import { GraphNode, producerOf } from './graphWalk';

/**
 * Picking the embedding among a model's outputs when embedding-lens.json does not name one.
 * Exports from elsewhere (Hugging Face ViT/CLIP/DINOv2 via optimum, conv backbones, tfjs face
 * models) carry several outputs, token sequences or feature maps; flattening the first output
 * gives a meaningless vector, so every candidate is ranked by what it looks like.
 */

/** One graph output as the probe run saw it: shape per item includes the batch dimension. */
export interface OutputInfo {
  name: string;
  /** Shape of the output for a probe batch (dimension 0 = batch). */
  shape: number[];
  /** The op that produces it (Softmax, Gemm, …), when the graph says. */
  op?: string;
}

/** How the chosen output becomes one vector per image: flattened as is, or pooled. */
export type Reduction = 'none' | OutputPool;

export interface RankedOutput {
  name: string;
  reduce: Reduction;
  /** Why this output was chosen, for the assumptions list. */
  why: string;
}

/**
 * Names that say "this is the embedding", strongest first: the projected embedding CLIP-style
 * exports name image_embeds / embedding(s) (also emb, embed(s)); then pooler_output (the pooled
 * token before any projection); then features / feats / descriptor(s); then anything with "pool".
 * Matched as whole words of the name. Two outputs in the same tier are equally plausible.
 */
const NAME_TIERS = [
  /(^|[^a-z])(emb|embeds?|embeddings?|image_embeds)([^a-z]|$)/i,
  /(^|[^a-z])pooler_output([^a-z]|$)/i,
  /(^|[^a-z])(features?|feats?|descriptors?)([^a-z]|$)/i,
  /pool/i,
];
const PROBABILITY_OPS = new Set(['softmax', 'logsoftmax', 'sigmoid', 'argmax', 'argmin', 'topkv2', 'topk']);

export function isProbabilityHead(o: OutputInfo): boolean {
  return o.op !== undefined && PROBABILITY_OPS.has(o.op.toLowerCase());
}

/** The producing op of each output, from graph nodes (tfjs GraphModel or ONNX). */
export function producingOp(nodes: GraphNode[], output: string): string | undefined {
  return producerOf(nodes, output)?.op;
}

/** "last_hidden_state [1,17,64] (Add), pooler_output [1,64] (Tanh)": listed in every assumption. */
export function describeOutputs(outputs: OutputInfo[]): string {
  return outputs.map((o) => `${o.name} [${o.shape.map((d, i) => (i === 0 ? 'n' : d)).join(',')}]${o.op ? ` (${o.op})` : ''}`).join(', ');
}

/** The chosen output, and the other outputs that the same rule found just as plausible (a tie). */
export interface RankedChoice extends RankedOutput {
  alternatives: OutputInfo[];
}

/**
 * Ranks outputs: (1) a rank-2 output named like an embedding (NAME_TIERS, strongest tier first);
 * (2) the widest rank-2 output that is not a probability head; (3) a rank-3 token sequence → its
 * CLS token (index 0), or the mean over tokens when the sidecar says `"pool": "mean"`; (4) a rank-4
 * map → global average pooling. Where the deciding rule found several candidates (two names of one
 * tier, two rank-2 outputs of the same width, two sequences, two maps) the first in the model's
 * order is taken and the rest are `alternatives`: the extension then asks which one is meant.
 * `undefined` when every output is a probability head (the caller then walks to the penultimate layer)
 * or nothing is recognisable (the caller flattens the first output, as before).
 */
export function rankOutputs(outputs: OutputInfo[], pool: 'cls' | 'mean' | undefined): RankedChoice | undefined {
  const all = describeOutputs(outputs);
  const rank2 = outputs.filter((o) => o.shape.length === 2 && !isProbabilityHead(o));
  const tie = (found: OutputInfo[]) => found.slice(1);
  for (const tier of NAME_TIERS) {
    const named = rank2.filter((o) => tier.test(o.name));
    if (named.length)
      return {
        name: named[0].name,
        reduce: 'none',
        alternatives: tie(named),
        why: `embedding = output "${named[0].name}": rank 2 and named like an embedding (outputs: ${all})`,
      };
  }
  if (rank2.length) {
    const width = Math.max(...rank2.map((o) => o.shape[1]));
    const widest = rank2.filter((o) => o.shape[1] === width);
    const others =
      outputs.length > 1 ? `the widest rank-2 output that is not a probability head (outputs: ${all})` : `the model's only output (${all})`;
    return { name: widest[0].name, reduce: 'none', alternatives: tie(widest), why: `embedding = output "${widest[0].name}": ${others}` };
  }
  const seqs = outputs.filter((o) => o.shape.length === 3 && !isProbabilityHead(o));
  if (seqs.length) {
    const seq = seqs[0];
    if (pool === 'mean')
      return {
        name: seq.name,
        reduce: 'mean',
        alternatives: tie(seqs),
        why: `embedding = output "${seq.name}" averaged over its ${seq.shape[1]} tokens ("pool": "mean" in embedding-lens.json; outputs: ${all})`,
      };
    return {
      name: seq.name,
      reduce: 'cls',
      alternatives: tie(seqs),
      why: `embedding = output "${seq.name}" token 0 (CLS) of ${seq.shape[1]}: a token sequence with no pooled output; set "pool": "mean" in embedding-lens.json to average the tokens instead (outputs: ${all})`,
    };
  }
  const maps = outputs.filter((o) => o.shape.length === 4 && !isProbabilityHead(o));
  if (maps.length)
    return {
      name: maps[0].name,
      reduce: 'gap',
      alternatives: tie(maps),
      why: `embedding = output "${maps[0].name}" after global average pooling over its spatial dimensions: a feature map (outputs: ${all})`,
    };
  return undefined;
}

/**
 * The output choice when embedding-lens.json and the flags name none, the same for ONNX and tfjs
 * graphs: the best-ranked candidate (with its pooling); else a lone probability head means its
 * penultimate layer; else `fallback` (the first output, flattened), said so.
 */
export function defaultOutputChoice(
  infos: OutputInfo[],
  pool: 'cls' | 'mean' | undefined,
  firstIsProbabilityHead: boolean,
  fallback: OutputChoice,
): { choice: OutputChoice; reduce: Reduction; assumption: string; candidates?: OutputCandidate[] } {
  const ranked = rankOutputs(infos, pool);
  const first = infos[0]?.name;
  if (ranked) {
    const choice = choiceOf(ranked.name, ranked.reduce);
    if (!ranked.alternatives.length) return { choice, reduce: ranked.reduce, assumption: ranked.why };
    const chosen = infos.find((o) => o.name === ranked.name)!;
    const candidates = [chosen, ...ranked.alternatives].map((o) => candidateOf(o, pool));
    const others = ranked.alternatives.map((o) => `"${o.name}"`).join(', ');
    return {
      choice,
      reduce: ranked.reduce,
      candidates,
      assumption: `${ranked.why}; ${others} ${ranked.alternatives.length === 1 ? 'is' : 'are'} as plausible — name the embedding in embedding-lens.json ("output") to be sure`,
    };
  }
  if (firstIsProbabilityHead) {
    return {
      choice: { kind: 'penultimate' },
      reduce: 'none',
      assumption: `embedding = penultimate layer: the output "${first}" is a probability head (outputs: ${describeOutputs(infos)})`,
    };
  }
  return {
    choice: fallback,
    reduce: 'none',
    assumption: `embedding = output "${first}" flattened: no output looks like an embedding (outputs: ${describeOutputs(infos)})`,
  };
}

/** The pool travels with the choice, so a fine-tune's sidecar reloads the same embedding. */
function choiceOf(name: string, reduce: Reduction): OutputChoice {
  return reduce === 'none' ? { kind: 'named', name } : { kind: 'named', name, pool: reduce };
}

/** One of several equally plausible outputs, as a quick pick lists it and embedding-lens.json would name it. */
export interface OutputCandidate {
  name: string;
  /** Shape per probe batch, dimension 0 = batch. */
  shape: number[];
  op?: string;
  /** What naming it in embedding-lens.json means ({"name", "pool"} for a sequence or a map). */
  choice: OutputChoice;
}

function candidateOf(o: OutputInfo, pool: 'cls' | 'mean' | undefined): OutputCandidate {
  const reduce: Reduction = o.shape.length === 3 ? (pool === 'mean' ? 'mean' : 'cls') : o.shape.length === 4 ? 'gap' : 'none';
  return { name: o.name, shape: o.shape, ...(o.op ? { op: o.op } : {}), choice: choiceOf(o.name, reduce) };
}

/** Width of one embedding after `reduce`, from the output's probe shape and the model's layout. */
export function reducedDim(shape: number[], reduce: Reduction, layout: Layout): number {
  const per = shape.slice(1);
  if (reduce === 'cls' || reduce === 'mean') return per[1];
  if (reduce === 'gap') return layout === 'NCHW' ? per[0] : per[2];
  return per.reduce((a, b) => a * b, 1);
}

/**
 * Turns n rows of the raw output (shape [n, ...per]) into n embeddings. A rank-4 map is laid out
 * like the model's input: NCHW averages over H,W of each channel, NHWC over H,W of each trailing channel.
 */
export function reduceOutput(values: Float32Array, n: number, shape: number[], reduce: Reduction, layout: Layout): Float32Array {
  if (reduce === 'none') return values;
  const per = shape.slice(1);
  const want = reduce === 'gap' ? 4 : 3;
  // A "pool" named in embedding-lens.json on an output of another rank would read garbage.
  if (shape.length !== want) throw new Error(`"pool": "${reduce}" needs a rank-${want} output, but it is [${shape.join(',')}]`);
  const rowLen = per.reduce((a, b) => a * b, 1);
  if (reduce === 'cls' || reduce === 'mean') {
    const [tokens, d] = per;
    const out = new Float32Array(n * d);
    for (let i = 0; i < n; i++) {
      const row = values.subarray(i * rowLen, (i + 1) * rowLen);
      if (reduce === 'cls') out.set(row.subarray(0, d), i * d);
      else {
        for (let t = 0; t < tokens; t++) for (let k = 0; k < d; k++) out[i * d + k] += row[t * d + k];
        for (let k = 0; k < d; k++) out[i * d + k] /= tokens;
      }
    }
    return out;
  }
  const [c, hw] = layout === 'NCHW' ? [per[0], per[1] * per[2]] : [per[2], per[0] * per[1]];
  const out = new Float32Array(n * c);
  for (let i = 0; i < n; i++) {
    const row = values.subarray(i * rowLen, (i + 1) * rowLen);
    for (let ch = 0; ch < c; ch++) {
      let s = 0;
      // Sum in float64: a 56×56 map summed in float32 loses digits the 1e-5 checks would see.
      if (layout === 'NCHW') for (let p = 0; p < hw; p++) s += row[ch * hw + p];
      else for (let p = 0; p < hw; p++) s += row[p * c + ch];
      out[i * c + ch] = s / hw;
    }
  }
  return out;
}
