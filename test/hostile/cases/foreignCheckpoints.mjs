// Checkpoints nobody here made (issue #16): a PyTorch file gets the ONNX export recipe, not "unknown
// type"; a Hugging Face-style ViT export (token sequence + pooler_output) is embedded by its pooled
// output, not by the token sequence flattened to a meaningless vector; a conv backbone's feature map
// is pooled. Fixtures: scripts/make-fixture-onnx.mjs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const models = join(import.meta.dirname, '../../fixtures/models');

/** Shape of a .npy from its header, e.g. [24, 8]. */
function npyShape(file) {
  const b = readFileSync(file);
  const header = b.subarray(10, 10 + b.readUInt16LE(8)).toString('latin1');
  return JSON.parse(`[${/'shape': \(([^)]*)\)/.exec(header)[1].replace(/,\s*$/, '')}]`);
}

const embedOnnx = (name, dim, why) => ({
  name: `embed: ${name}.onnx → ${dim}-d ${why}, said in the assumptions`,
  setup: ({ dir, assets, h }) => {
    h.copy(join(models, `${name}.onnx`), join(dir, 'o', `${name}.onnx`));
    h.copy(assets.dataset, join(dir, 'images'));
  },
  args: () => ['embed', `o/${name}.onnx`, 'images', '--out', 'e.npy', '--no-cache'],
  expect: { code: 0, seconds: 20, rssMB: 700 },
  changes: ['e.npy', 'e.meta.json'],
  check: ({ dir, result }) => {
    const shape = npyShape(join(dir, 'e.npy'));
    if (shape[0] !== 24 || shape[1] !== dim) throw new Error(`e.npy is ${JSON.stringify(shape)}; expected [24, ${dim}]`);
    if (!result.stdout.includes('(outputs: '))
      throw new Error('the chosen output and every output with its shape must be in the assumptions');
  },
});

export const cases = [
  {
    name: 'embed: a PyTorch .pt checkpoint is refused with the torch.onnx.export recipe and the sidecar keys',
    setup: ({ dir, assets, h }) => {
      h.write(join(dir, 'resnet.pt'), Buffer.from('PK\u0003\u0004 a torch zip'));
      h.copy(assets.dataset, join(dir, 'images'));
    },
    args: () => ['embed', 'resnet.pt', 'images', '--out', 'e.npy', '--no-cache'],
    expect: {
      code: 1,
      stderr: /resnet\.pt: is a PyTorch checkpoint.*torch\.onnx\.export\(model.*embedding-lens\.json/,
      seconds: 10,
      rssMB: 500,
    },
  },
  embedOnnx('vit-like', 8, 'pooler_output, not last_hidden_state flattened to 128'),
  embedOnnx('token-encoder', 8, 'CLS token of the token sequence'),
  embedOnnx('conv-backbone', 8, 'global average pooling of the feature map'),
  embedOnnx('multi-head', 12, 'widest non-probability output, past sigmoid and softmax heads'),
];
