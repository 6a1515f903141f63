/**
 * The few WebAssembly members the kernels use. The project compiles against lib ES2022 without
 * DOM, which has no WebAssembly typings, although every runtime here (Node, Electron) has it.
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}
export interface WasmInstance {
  exports: Record<string, unknown>;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => WasmInstance;
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  validate(bytes: Uint8Array): boolean;
}

/** WebAssembly, or undefined where the runtime has none. */
export const Wasm: WasmApi | undefined = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

export const WASM_PAGE_BYTES = 65536;
/** A 32-bit memory's ceiling: 65,536 pages of 64 KiB. */
export const WASM_MAX_PAGES = 65536;
