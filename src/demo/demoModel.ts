/**
 * The demo checkpoint: a small seeded CNN saved as a tfjs LayersModel (model.json + weights) with
 * its embedding-lens.json. Untrained on purpose — the demo then shows what a short EET fine-tune
 * does to the same network's embedding space.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { initTfjs } from '../core/runtime/tfjs';
import { saveLayersModel } from '../core/train/checkpointWriter';
import { writeDirAtomically } from './atomicDir';

export interface DemoModelOptions {
  /** Square input size in pixels (default 32). */
  inputSize?: number;
  /** Embedding width (default 64). */
  dim?: number;
  seed?: number;
}

export async function makeDemoCheckpoint(outDir: string, opts: DemoModelOptions = {}): Promise<string> {
  const size = opts.inputSize ?? 32;
  const dim = opts.dim ?? 64;
  const seed = opts.seed ?? 7;
  const { tf } = await initTfjs('auto');
  // Seeded initialisers: the same seed gives the same weights, so the demo's numbers repeat.
  let s = seed;
  const init = () => tf.initializers.heNormal({ seed: s++ });
  const model = tf.sequential({ name: 'demo_cnn' });
  model.add(
    tf.layers.conv2d({
      inputShape: [size, size, 3],
      filters: 16,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: init(),
      name: 'conv1',
    }),
  );
  model.add(tf.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }));
  model.add(
    tf.layers.conv2d({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(), name: 'conv2' }),
  );
  model.add(tf.layers.maxPooling2d({ poolSize: 2, name: 'pool2' }));
  model.add(
    tf.layers.conv2d({ filters: 64, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(), name: 'conv3' }),
  );
  model.add(tf.layers.globalAveragePooling2d({ name: 'gap' }));
  model.add(tf.layers.dense({ units: dim, kernelInitializer: tf.initializers.glorotUniform({ seed: s++ }), name: 'embedding' }));
  try {
    // Marked as the demo's own (with the list of what it wrote), so a rerun may replace it and a
    // folder holding anything else is refused.
    const marker = { generator: 'embedding-lens demo checkpoint', version: 1, seed, inputSize: size, dim };
    return await writeDirAtomically(outDir, marker, async (tmp) => {
      await saveLayersModel(tf, model, tmp, 'model');
      const config = {
        inputSize: [size, size],
        channels: 3,
        mean: [0.5, 0.5, 0.5],
        std: [0.25, 0.25, 0.25],
        resize: 'stretch',
        output: 'last',
      };
      await writeFile(join(tmp, 'embedding-lens.json'), JSON.stringify(config, null, 2) + '\n');
    });
  } finally {
    model.dispose();
  }
}
