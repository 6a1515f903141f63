import type { InferenceSession } from 'onnxruntime-node';

/** A tensor across the process boundary (structured clone keeps the typed array). */
export interface WireTensor {
  type: string;
  dims: number[];
  data:
    | Float32Array
    | Int32Array
    | BigInt64Array
    | Uint8Array
    | Float64Array
    | Int8Array
    | Uint16Array
    | Int16Array
    | BigUint64Array
    | Uint32Array
    | string[];
}

export type RunnerRequest =
  | {
      type: 'create';
      id: number;
      model: string | Uint8Array;
      provider: 'cuda' | 'cpu';
      deviceId?: number;
      options: InferenceSession.SessionOptions;
    }
  | { type: 'run'; id: number; feeds: Record<string, WireTensor>; names: string[] }
  | { type: 'libraries'; id: number }
  | { type: 'release'; id: number };

export type RunnerReply =
  | {
      type: 'created';
      id: number;
      inputNames: string[];
      outputNames: string[];
      inputMetadata: unknown[];
      libraries: Record<string, string>;
    }
  | { type: 'result'; id: number; outputs: Record<string, WireTensor> }
  | { type: 'libraries'; id: number; libraries: Record<string, string> }
  | { type: 'error'; id: number; message: string };
