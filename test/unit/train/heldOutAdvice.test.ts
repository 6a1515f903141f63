// When a held-out set is too small to trust (fewer than 5 classes or 200 items) and which split the
// warning suggests: a share that holds out enough while keeping 2 classes to train on, else the
// dataset's own split.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  heldOutIsEnough,
  heldOutSizeText,
  heldOutWarning,
  splitSuggestion,
  suggestedHeldOutPercent,
} from '../../../src/core/train/heldOutAdvice';
import { classDisjointSplit } from '../../../src/core/train/split';

test('heldOutIsEnough: 5 classes and 200 items, both needed', () => {
  assert.equal(heldOutIsEnough({ classes: 5, items: 200 }), true);
  assert.equal(heldOutIsEnough({ classes: 4, items: 5000 }), false);
  assert.equal(heldOutIsEnough({ classes: 50, items: 199 }), false);
  assert.equal(heldOutSizeText({ classes: 1, items: 1200 }), '1 class, 1,200 items');
});

test('Fashion-MNIST at the default 20%: 2 classes held out, warned, told to hold out 50%', () => {
  const w = heldOutWarning({ classes: 2, items: 120, totalClasses: 10, totalItems: 600 });
  assert.ok(w);
  assert.match(w, /^Only 2 classes, 120 items held out/);
  assert.match(w, /recall@1 can sit at 1\.0/);
  assert.match(w, /Validation split → Held-out classes… 50%/);
  assert.match(w, /--val-fraction 0\.5\b/);
  assert.equal(heldOutWarning({ classes: 5, items: 300, totalClasses: 10, totalItems: 600 }), undefined);
});

test('suggestedHeldOutPercent: the split it names really holds out ≥ 5 classes (and ~200 items), else undefined', () => {
  for (const [classes, items] of [
    [10, 600],
    [7, 7000],
    [100, 5000],
    [12, 240],
    [11317, 59551],
  ] as const) {
    const pct = suggestedHeldOutPercent(classes, items);
    assert.ok(pct !== undefined, `${classes} classes`);
    const labels = Int32Array.from({ length: items }, (_, i) => i % classes);
    const split = classDisjointSplit(labels, pct / 100, 1);
    assert.ok(split.valClasses >= 5, `${classes} classes at ${pct}%: ${split.valClasses} held out`);
    assert.ok(split.val.length >= 200, `${classes} classes at ${pct}%: ${split.val.length} items held out`);
    assert.ok(split.train.length > 0);
  }
  assert.equal(suggestedHeldOutPercent(6, 600), undefined, '6 classes: 5 held out would leave 1 to train on');
  assert.equal(suggestedHeldOutPercent(10, 100), undefined, '10 items per class: 200 items would take 20 classes');
});

test("splitSuggestion: too few classes points at the dataset's own split", () => {
  assert.match(splitSuggestion(6, 600), /This dataset has 6 classes and 600 items, too few .* --validation split/);
  assert.match(splitSuggestion(), /^Validate on more classes/);
});
