import { existsSync } from 'node:fs';
import { LensError } from '../errors';
import { writeFileAtomic } from '../io/outputs';
import { readJsonText } from '../io/safeFile';
import { configPathFor, outputChoiceJson, parseCheckpointConfig, type OutputChoice } from './config';

/**
 * Writes the user's choice of embedding output into embedding-lens.json beside the checkpoint,
 * so later runs (and the CLI) take it without asking. Called only with the user's consent (the
 * extension asks, and never in an untrusted workspace). The sidecar's other keys are kept; a
 * sidecar that does not parse, or does not validate, is left alone with an error rather than
 * rewritten — it is the user's file. Written to a temp file and renamed.
 */
export async function rememberOutputChoice(checkpoint: string, choice: OutputChoice): Promise<string> {
  const file = configPathFor(checkpoint);
  let raw: Record<string, unknown> = {};
  if (existsSync(file)) {
    const text = await readJsonText(file, 'a JSON sidecar (embedding-lens.json)');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new LensError(`is not valid JSON (${(err as Error).message}); fix or remove it before remembering the output in it`, file);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new LensError('is not a JSON object; fix or remove it before remembering the output in it', file);
    raw = parsed as Record<string, unknown>;
  }
  const next = { ...raw, output: outputChoiceJson(choice) };
  // The same strict check every loader applies: what is written must load.
  parseCheckpointConfig(next, file);
  await writeFileAtomic(file, JSON.stringify(next, null, 2) + '\n');
  return file;
}
