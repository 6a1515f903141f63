import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMissingLabel, readLabels } from '../../../src/core/io/labels';
import { tmp } from '../embed/helpers/make';

test('missing-value words are not labels: NaN, None, null, empty, in text and JSON, with the line or index named', async () => {
  for (const w of ['NaN', 'nan', 'None', 'null', 'NULL', '<NA>', 'N/A', '', '  ']) assert.ok(isMissingLabel(w), w);
  for (const w of ['cat', '0', 'nano', 'NA', 'none-of-the-above']) assert.ok(!isMissingLabel(w), w);
  const dir = tmp();
  writeFileSync(join(dir, 'l.txt'), 'cat\ndog\nNaN\ncat\n');
  await assert.rejects(readLabels(join(dir, 'l.txt')), /l\.txt: line 3 is "NaN", a missing value/);
  writeFileSync(join(dir, 'l.json'), JSON.stringify(['cat', 'None', 'dog']));
  await assert.rejects(readLabels(join(dir, 'l.json')), /l\.json: label 1 is "None", a missing value/);
  writeFileSync(join(dir, 'ok.txt'), 'cat\ndog\n');
  assert.deepEqual((await readLabels(join(dir, 'ok.txt'))).classNames, ['cat', 'dog']);
});
