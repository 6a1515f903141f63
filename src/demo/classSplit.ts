import { FASHION_MNIST_CLASSES } from './fashionMnist';
import { PRODUCT_CLASSES } from './shapes';

/**
 * Which classes the demo fine-tunes on and which it holds out. A metric-learning model is judged on
 * classes it never trained on (as in CUB, Cars196, SOP), so the demo's before/after inspections and
 * the comparison are run on the held-out classes only, and the fine-tune never reads one of their
 * images.
 *
 * Generated products (20 classes): 8 held out. One side of each deliberately confusable pair is held
 * out (sneaker vs the trained boot, mug vs teapot, tshirt vs dress, handbag vs backpack, chair vs
 * table), so the test includes unseen products that look like trained ones, as a catalogue's new
 * products do; the other three (watch, umbrella, laptop) have no near twin among the trained.
 */
export const PRODUCT_HELD_OUT: readonly string[] = ['sneaker', 'mug', 'tshirt', 'handbag', 'chair', 'watch', 'umbrella', 'laptop'];

/** Fashion-MNIST (10 classes): 4 held out, each with a trained look-alike (Shirt/T-shirt, Sneaker/Sandal…). */
export const FASHION_MNIST_HELD_OUT: readonly number[] = [1, 6, 7, 8]; // Trouser, Shirt, Sneaker, Bag

export interface ClassSplit<T> {
  trained: T[];
  heldOut: T[];
}

export function productClassSplit(): ClassSplit<string> {
  const all = PRODUCT_CLASSES.map((c) => c.name);
  return { trained: all.filter((n) => !PRODUCT_HELD_OUT.includes(n)), heldOut: all.filter((n) => PRODUCT_HELD_OUT.includes(n)) };
}

export function fashionMnistClassSplit(): ClassSplit<number> {
  const all = FASHION_MNIST_CLASSES.map((_, i) => i);
  return { trained: all.filter((i) => !FASHION_MNIST_HELD_OUT.includes(i)), heldOut: [...FASHION_MNIST_HELD_OUT] };
}
