/**
 * The one GPU runtime this build can load, pinned: onnxruntime's CUDA execution provider of exactly
 * the onnxruntime-node release in package.json (the provider and libonnxruntime must come from one
 * build — a mismatched pair fails to register or crashes). Microsoft publishes these files only in
 * the Microsoft.ML.OnnxRuntime.Gpu.Linux NuGet package, which onnxruntime-node's own install script
 * fetches; the npm package below carries the same release's provider build, so a machine that
 * reaches only the npm registry can still get it. Every byte is checked against the hashes here,
 * so a changed or substituted upload is refused, never loaded.
 *
 * Bumping onnxruntime-node means a new entry here (test/unit/gpu/pinned.test.ts fails until then):
 * `npm pack <package>@<version>`, then `sha512sum` the two libraries inside.
 */

/** The onnxruntime release the provider belongs to; equals onnxruntime-node's version. */
export const ORT_GPU_VERSION = '1.29.0';

export interface PinnedFile {
  /** Where the file sits inside the tarball. */
  pathInArchive: string;
  /** Its name beside libonnxruntime.so.1, where onnxruntime looks for providers. */
  name: string;
  size: number;
  /** Hex SHA-512 of the file. */
  sha512: string;
}

export interface PinnedPackage {
  /** Shown to the user (where it comes from). */
  description: string;
  url: string;
  /** Size of the download, shown before it starts. */
  size: number;
  /** npm's `dist.integrity` of the tarball (sha512, base64). */
  integrity: string;
  files: PinnedFile[];
}

export const CUDA_PROVIDER_PACKAGE: PinnedPackage = {
  description: 'npm package com.github.asus4.onnxruntime.linux-x64-gpu@0.4.9 (onnxruntime 1.29.0 CUDA provider, CUDA 13 / cuDNN 9)',
  url: 'https://registry.npmjs.org/com.github.asus4.onnxruntime.linux-x64-gpu/-/com.github.asus4.onnxruntime.linux-x64-gpu-0.4.9.tgz',
  size: 179_145_956,
  integrity: 'sha512-FopIhNE/Ng+v2X65wVc9clPCBCvhvA53Hxo2U0Kf5fGdVsC7iCA+mZ0KLWggcQAj7TIZ6pNidR4AC10g74Xo6w==',
  files: [
    {
      pathInArchive: 'package/Plugins/Linux/x64/libonnxruntime_providers_shared.so',
      name: 'libonnxruntime_providers_shared.so',
      size: 14_632,
      sha512:
        '716421b811e99769e66441de72bc0dab5da9df8a669f75385c26b046879c07caaee49ec29da27cfb54558e103fc4d3ae9ab1e26161e6d17f93332a6665971f70',
    },
    {
      pathInArchive: 'package/Plugins/Linux/x64/libonnxruntime_providers_cuda.so',
      name: 'libonnxruntime_providers_cuda.so',
      size: 229_780_440,
      sha512:
        'f6e7f79df6dc0781bcbf0c9397c506147453eebe355e436339377e466f9919f7bd79349471932f04e4bd1bc058a80d6ad08f852966c944cd3619bcf882f5de63',
    },
  ],
};

/** The addon and runtime of the bundled onnxruntime-node, copied beside the provider (see fetchProvider). */
export const ORT_NODE_FILES = ['onnxruntime_binding.node', 'libonnxruntime.so.1'] as const;

export interface CudaLibrary {
  /** The soname the provider asks the loader for. */
  soname: string;
  /** What it is, for messages. */
  what: string;
  /** The pip wheel that carries it (CUDA 13 builds). */
  wheel: string;
}

/**
 * What this provider build needs besides the driver's libcuda.so.1 (its ELF NEEDED entries, and
 * cuDNN 9, which it opens at run time): CUDA 13 runtime, cuBLAS 13, cuRAND 10, cuDNN 9.
 */
export const CUDA_LIBRARIES: readonly CudaLibrary[] = [
  { soname: 'libcudart.so.13', what: 'CUDA 13 runtime', wheel: 'nvidia-cuda-runtime' },
  { soname: 'libcublas.so.13', what: 'cuBLAS 13', wheel: 'nvidia-cublas' },
  { soname: 'libcublasLt.so.13', what: 'cuBLASLt 13', wheel: 'nvidia-cublas' },
  { soname: 'libcurand.so.10', what: 'cuRAND 10', wheel: 'nvidia-curand' },
  { soname: 'libcudnn.so.9', what: 'cuDNN 9', wheel: 'nvidia-cudnn-cu13' },
];
