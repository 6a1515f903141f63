import type { CountCap } from '../core/limits';

/** Tiny argv parser for the CLI: `--flag value`, `--flag=value`, boolean `--flag`, positionals. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface ParsedArgs {
  positionals: string[];
  flags: Map<string, string | true>;
}

/** `booleans` lists flags that take no value; every other flag must have one. */
export function parseArgs(argv: string[], booleans: readonly string[] = []): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) {
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
    if (!name) throw new UsageError(`empty flag "${a}"`);
    if (booleans.includes(name)) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      flags.set(name, true);
    } else if (eq >= 0) {
      flags.set(name, a.slice(eq + 1));
    } else {
      const v = argv[i + 1];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`--${name} needs a value`);
      flags.set(name, v);
      i++;
    }
  }
  return { positionals, flags };
}

/** Rejects any flag not in `known`, so a typo is a usage error instead of a silently ignored option. */
export function checkKnown(args: ParsedArgs, known: readonly string[]): void {
  for (const name of args.flags.keys()) {
    if (!known.includes(name)) throw new UsageError(`unknown option --${name}`);
  }
}

export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  if (v === true) throw new UsageError(`--${name} needs a value`);
  return v;
}

export function requiredFlag(args: ParsedArgs, name: string): string {
  const v = stringFlag(args, name);
  if (v === undefined) throw new UsageError(`--${name} is required`);
  return v;
}

/** `cap`: an upper bound from core/limits (CAPS), named with its reason when exceeded. */
export function numberFlag(
  args: ParsedArgs,
  name: string,
  fallback: number,
  opts: { integer?: boolean; min?: number; above?: number; cap?: CountCap } = {},
): number {
  const v = stringFlag(args, name);
  if (v === undefined) return fallback;
  const x = Number(v);
  if (!Number.isFinite(x) || (opts.integer && !Number.isInteger(x)) || (opts.min !== undefined && x < opts.min)) {
    throw new UsageError(
      `--${name} expects ${opts.integer ? 'an integer' : 'a number'}${opts.min !== undefined ? ` ≥ ${opts.min}` : ''}${opts.cap ? ` and ≤ ${opts.cap.max}` : ''}, got "${v}"`,
    );
  }
  // `above` is an exclusive bound: a learning rate must be > 0, not ≥ 0.
  if (opts.above !== undefined && !(x > opts.above)) throw new UsageError(`--${name} expects a number > ${opts.above}, got "${v}"`);
  if (opts.cap && x > opts.cap.max)
    throw new UsageError(`--${name} ${v} is more than ${opts.cap.max}, the most ${opts.cap.what} accepted (${opts.cap.why})`);
  return x;
}

/** Comma-separated numbers, e.g. `--k 1,2,4,8` or `--pk 8,4`. */
export function numberListFlag(
  args: ParsedArgs,
  name: string,
  fallback: number[],
  opts: { integer?: boolean; length?: number; min?: number; cap?: CountCap } = {},
): number[] {
  const v = stringFlag(args, name);
  if (v === undefined) return fallback;
  const xs = v.split(',').map((s) => Number(s.trim()));
  const bad = xs.some((x) => !Number.isFinite(x) || (opts.integer && !Number.isInteger(x)) || (opts.min !== undefined && x < opts.min));
  if (bad || xs.length === 0 || (opts.length !== undefined && xs.length !== opts.length)) {
    throw new UsageError(
      `--${name} expects ${opts.length ?? 'a list of'} comma-separated ${opts.integer ? 'integers' : 'numbers'}, got "${v}"`,
    );
  }
  const over = opts.cap && xs.find((x) => x > opts.cap!.max);
  if (opts.cap && over !== undefined)
    throw new UsageError(`--${name} ${over} is more than ${opts.cap.max}, the most ${opts.cap.what} accepted (${opts.cap.why})`);
  return xs;
}
