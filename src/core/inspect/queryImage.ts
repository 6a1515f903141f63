/** Embeds one image (bytes dropped on the panel) with the inspected checkpoint, preprocessed exactly as the dataset was. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { loadCheckpoint, detectCheckpointKind, isPrecomputedKind, resolveCheckpointPath, type LoadedModel } from '../checkpoint';
import type { BackendSetting } from '../runtime/select';
import { floatsPerItem, preprocessInto } from '../dataset/preprocess';
import { LensError } from '../errors';

/** Keeps one loaded model per checkpoint, so a second dropped image does not reload it. */
export class ImageEmbedder {
  private model: Promise<LoadedModel> | undefined;
  constructor(
    private readonly checkpoint: string,
    private readonly backend: BackendSetting,
  ) {}

  async embed(name: string, bytes: Uint8Array): Promise<Float32Array> {
    const file = resolveCheckpointPath(this.checkpoint);
    if (isPrecomputedKind(await detectCheckpointKind(file))) {
      throw new LensError(
        'holds precomputed embeddings, so a new image cannot be embedded; inspect the model checkpoint to query by image',
        file,
      );
    }
    this.model ??= loadCheckpoint(file, { backend: this.backend });
    const model = await this.model;
    // sharp sniffs the format from the bytes; the temp file keeps the extension for BMP handling.
    const dir = await mkdtemp(join(tmpdir(), 'lens-query-'));
    const path = join(dir, `query${extname(name).toLowerCase() || '.img'}`);
    try {
      await writeFile(path, bytes);
      const input = new Float32Array(floatsPerItem(model.preprocess));
      try {
        await preprocessInto({ file: path }, model.preprocess, input, 0);
      } catch (err) {
        throw new LensError(
          `could not be decoded as an image (${(err as Error).message}); expected JPEG, PNG, WebP, GIF, BMP or TIFF`,
          name,
        );
      }
      return await model.embed(input, 1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async dispose(): Promise<void> {
    const m = this.model;
    this.model = undefined;
    if (m) await (await m.catch(() => undefined))?.dispose();
  }
}
