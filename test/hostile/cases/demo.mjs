// The demo on a machine without the optional data: `--fashion-mnist` needs Debian's
// dataset-fashion-mnist, found through `dpkg -L`. Where it is missing (here: no dpkg on PATH at
// all, as on a non-Debian machine) the demo must say so in one line and leave no output folder.
import { join } from 'node:path';

export const cases = [
  {
    name: 'demo --fashion-mnist without the Debian package says so and makes no output folder',
    setup: () => {},
    args: () => ['demo', '--fashion-mnist', '--out', 'P'],
    env: { PATH: '/nonexistent' },
    expect: {
      code: 1,
      stderr: /Fashion-MNIST is not available: the Debian package dataset-fashion-mnist is not installed/,
      seconds: 20,
      rssMB: 800,
    },
    check: ({ dir, h }) => {
      if (h.exists(join(dir, 'P'))) throw new Error('the refused demo still made its output folder P');
    },
  },
];
