/** embeddingLens.gpu.mode: `auto` uses a GPU runtime when one is enabled and loads; `off` never tries. (Not plain embeddingLens.gpu: VS Code drops a setting whose name is another one's prefix, and gpu.device sits below it.) */
export type GpuMode = 'auto' | 'off';

export interface GpuPreference {
  mode: GpuMode;
  /** CUDA device index (embeddingLens.gpu.device) on multi-GPU machines. */
  device: number;
  /** <storage>/onnxruntime-gpu, where Enable GPU put the provider; no downloaded runtime when left out. */
  root?: string;
  /** The Python interpreter whose nvidia-* wheels are searched for CUDA/cuDNN. */
  python?: string;
}

export function isGpuMode(x: unknown): x is GpuMode {
  return x === 'auto' || x === 'off';
}

/** How the user gets the provider, said wherever it is missing. */
export const ENABLE_GPU_HINT = 'run "Embedding Lens: Enable GPU" (CLI: embedding-lens gpu enable)';
