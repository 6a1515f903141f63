import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultOutputChoice, rankOutputs } from '../../../src/core/checkpoint/outputChoice';
import { rememberOutputChoice } from '../../../src/core/checkpoint/rememberOutput';
import { readCheckpointConfig } from '../../../src/core/checkpoint/config';
import { tmp } from '../embed/helpers/make';

const o = (name: string, shape: number[], op?: string) => ({ name, shape, op });

test('name tiers: the projected embedding beats pooler_output, which beats features and *pool*; one tier holding two is a tie', () => {
  const clip = [o('last_hidden_state', [1, 50, 768]), o('pooler_output', [1, 768]), o('image_embeds', [1, 512])];
  assert.deepEqual(
    { ...rankOutputs(clip, undefined), why: undefined },
    { name: 'image_embeds', reduce: 'none', alternatives: [], why: undefined },
  );
  assert.equal(rankOutputs([o('pool5', [1, 2048]), o('features', [1, 256])], undefined)?.name, 'features');
  const twin = rankOutputs([o('embedding_a', [1, 128]), o('gap_pool', [1, 64]), o('embedding_b', [1, 128])], undefined)!;
  assert.equal(twin.name, 'embedding_a');
  assert.deepEqual(
    twin.alternatives.map((x) => x.name),
    ['embedding_b'],
  );
});

test('unnamed outputs of the same widest width, two sequences or two maps are ties; a lone winner has none', () => {
  const same = rankOutputs([o('a', [1, 256]), o('b', [1, 64]), o('c', [1, 256])], undefined)!;
  assert.deepEqual([same.name, same.alternatives.map((x) => x.name)], ['a', ['c']]);
  assert.deepEqual(rankOutputs([o('a', [1, 256]), o('b', [1, 64])], undefined)!.alternatives, []);
  const seqs = rankOutputs([o('s1', [1, 5, 8]), o('s2', [1, 9, 8])], 'mean')!;
  assert.deepEqual([seqs.name, seqs.reduce, seqs.alternatives.map((x) => x.name)], ['s1', 'mean', ['s2']]);
  const maps = rankOutputs([o('m1', [1, 8, 2, 2]), o('probs', [1, 10], 'Softmax'), o('m2', [1, 4, 4, 4])], undefined)!;
  assert.deepEqual([maps.name, maps.reduce, maps.alternatives.map((x) => x.name)], ['m1', 'gap', ['m2']]);
});

test('defaultOutputChoice lists the tied candidates with what naming each would mean, and says so in the assumption', () => {
  const picked = defaultOutputChoice([o('x', [1, 3, 16]), o('y', [1, 7, 16])], undefined, false, { kind: 'last' });
  assert.deepEqual(picked.choice, { kind: 'named', name: 'x', pool: 'cls' });
  assert.deepEqual(picked.candidates, [
    { name: 'x', shape: [1, 3, 16], choice: { kind: 'named', name: 'x', pool: 'cls' } },
    { name: 'y', shape: [1, 7, 16], choice: { kind: 'named', name: 'y', pool: 'cls' } },
  ]);
  assert.match(picked.assumption, /"y" is as plausible — name the embedding in embedding-lens\.json \("output"\) to be sure/);
  assert.equal(
    defaultOutputChoice([o('emb', [1, 8]), o('p', [1, 3], 'Softmax')], undefined, false, { kind: 'last' }).candidates,
    undefined,
  );
});

test('remembering an output writes embedding-lens.json beside the checkpoint, keeping its other keys; a broken sidecar is left alone', async () => {
  const dir = tmp();
  const model = join(dir, 'model.onnx');
  writeFileSync(model, 'x');
  const side = await rememberOutputChoice(model, { kind: 'named', name: 'pooler_output' });
  assert.equal(side, join(dir, 'embedding-lens.json'));
  assert.deepEqual(JSON.parse(readFileSync(side, 'utf8')), { output: { name: 'pooler_output' } });
  writeFileSync(side, JSON.stringify({ inputSize: [64, 64], resample: 'bilinear', output: 'last' }));
  await rememberOutputChoice(model, { kind: 'named', name: 'tokens', pool: 'mean' });
  assert.deepEqual(readCheckpointConfig(model).config, {
    height: 64,
    width: 64,
    resample: 'bilinear',
    output: { kind: 'named', name: 'tokens', pool: 'mean' },
  });
  writeFileSync(side, '{"inputSize": [64, 64],');
  await assert.rejects(rememberOutputChoice(model, { kind: 'last' }), /embedding-lens\.json: is not valid JSON .*fix or remove it/);
  assert.equal(readFileSync(side, 'utf8'), '{"inputSize": [64, 64],', "the user's file is untouched");
});
