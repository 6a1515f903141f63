import * as vscode from 'vscode';

import type { InspectionSettings } from '../core/inspect/settings';
import type { BackendSetting } from '../core/runtime/select';
import { readGpuPreference } from './gpu';

/** Every `embeddingLens.*` setting, typed, with the defaults package.json declares. */
export interface LensSettings extends InspectionSettings {
  cacheLocation: string;
}

export function readSettings(scope?: vscode.ConfigurationScope): LensSettings {
  const c = vscode.workspace.getConfiguration('embeddingLens', scope);
  // In an untrusted workspace, VS Code already hides workspace values of restricted settings
  // (package.json capabilities.untrustedWorkspaces.restrictedConfigurations), so cacheLocation
  // here can only come from user or machine settings.
  const weights = c.get<number[]>('eet.weights', [1, 1, 1]);
  // P×K are two numbered settings; the [P, K] array of earlier versions still counts where the user
  // set it and not the new ones (a value set, not the declared default: inspect tells them apart).
  const setValue = <T>(key: string): T | undefined => {
    const i = c.inspect<T>(key);
    return i?.workspaceFolderValue ?? i?.workspaceValue ?? i?.globalValue;
  };
  const legacyPk = setValue<number[]>('eet.pk');
  const pk = [setValue<number>('eet.classesPerBatch') ?? legacyPk?.[0] ?? 8, setValue<number>('eet.itemsPerClass') ?? legacyPk?.[1] ?? 4];
  return {
    backend: c.get<BackendSetting>('backend', 'auto'),
    gpu: readGpuPreference(c),
    batchSize: c.get<number>('batchSize', 64),
    cacheLocation: c.get<string>('cacheLocation', ''),
    maxItems: c.get<number>('maxItems', 0),
    maxPerClass: c.get<number>('maxPerClass', 0),
    neighborsK: c.get<number>('neighbors.k', 10),
    recallAtK: c.get<number[]>('metrics.recallAtK', [1, 2, 4, 8]),
    distance: c.get<'cosine' | 'euclidean'>('metrics.distance', 'cosine'),
    umap: {
      nNeighbors: c.get<number>('umap.nNeighbors', 15),
      minDist: c.get<number>('umap.minDist', 0.1),
      spread: c.get<number>('umap.spread', 1),
      epochs: c.get<number>('umap.epochs', 0),
      seed: c.get<number>('umap.seed', 42),
    },
    eet: {
      margin: c.get<number>('eet.margin', 0.3),
      weights: [weights[0] ?? 1, weights[1] ?? 1, weights[2] ?? 1],
      batches: c.get<number>('eet.batches', 20),
      pk: [pk[0] ?? 8, pk[1] ?? 4],
    },
    // Exact metrics are forced from the CLI (--exact-metrics); the panel raises the limit instead.
    metrics: { exactLimit: c.get<number>('metrics.exactLimit', 100_000), exact: false },
  };
}
