import type * as tfTypes from '@tensorflow/tfjs';
import { LensError } from '../errors';
import type { TrainWhat } from './options';

type Tf = typeof tfTypes;

/**
 * Marks what a fine-tune may change: every layer, or only the last N layers that hold weights
 * (earlier ones frozen). Returns how many weight tensors will train.
 */
export function setTrainable(model: tfTypes.LayersModel, what: Exclude<TrainWhat, 'head'>, file?: string): number {
  const withWeights = model.layers.filter((l) => l.getWeights().length > 0);
  if (withWeights.length === 0) throw new LensError('has no layers with weights to fine-tune', file);
  if (what === 'all') {
    for (const l of model.layers) l.trainable = true;
  } else {
    if (what.lastLayers > withWeights.length) {
      throw new LensError(`has ${withWeights.length} layers with weights; cannot train the last ${what.lastLayers}`, file);
    }
    const train = new Set(withWeights.slice(withWeights.length - what.lastLayers));
    for (const l of model.layers) l.trainable = train.has(l);
  }
  return model.trainableWeights.length;
}

/**
 * The projection head trained on frozen backbone features: one dense layer D→D, initialised to
 * the identity with zero bias, so before training it reproduces the backbone's embedding exactly
 * (epoch 0 of the head's history is the source model's own validation score).
 */
export function makeHead(tf: Tf, dim: number, name = 'eet_head'): tfTypes.Sequential {
  const head = tf.sequential({ name: `${name}_model` });
  head.add(tf.layers.dense({ inputShape: [dim], units: dim, name, kernelInitializer: 'identity', biasInitializer: 'zeros' }));
  return head;
}

/** A tfjs backbone with the head on top, as one LayersModel that is saved like any other. */
export function chainLayers(tf: Tf, backbone: tfTypes.LayersModel, head: tfTypes.LayersModel): tfTypes.LayersModel {
  let y = backbone.outputs[0];
  if (y.shape.length !== 2) y = tf.layers.flatten({ name: 'eet_head_flatten' }).apply(y) as tfTypes.SymbolicTensor;
  const out = head.layers[0].apply(y) as tfTypes.SymbolicTensor;
  return tf.model({ inputs: backbone.inputs, outputs: out, name: `${backbone.name}_eet` });
}

/** The values of every weight (trainable or not: batch-norm statistics move in training mode). */
export function snapshotWeights(model: tfTypes.LayersModel): Float32Array[] {
  return model.getWeights().map((w) => Float32Array.from(w.dataSync()));
}
