import type { Cataloger } from '../catalog/types.js';
import type { OsInfo } from '../core/os.js';
import type { LayerRef, Package, Relationship } from '../core/package.js';
import type { Problem } from '../core/problem.js';
import type { LayerAnalysis } from '../image/layers/analysis.js';
import type { FileTree } from '../image/tree/file-tree.js';
import { catalogedOf, LayerFold } from './layer-fold.js';

export interface CatalogedLayers {
  readonly tree: FileTree;
  readonly packages: Package[];
  readonly relationships: Relationship[];
  /** The catalogers' problems (not the layers'). */
  readonly problems: Problem[];
}

/**
 * Catalogs layers bottom-up with a LayerFold (see there for the attribution rule), without
 * ownership. `os` fixes the OS instead of detecting it in each layer.
 */
export function catalogLayers(analyses: readonly LayerAnalysis[], layers: readonly LayerRef[], catalogers: readonly Cataloger[], os?: OsInfo): CatalogedLayers {
  const fold = new LayerFold(
    catalogers,
    analyses.map((_, i) => layers[i]?.diffId),
    os ? { fixedOs: os } : {},
  );
  analyses.forEach((a, i) => fold.step(i, a));
  const snap = fold.snapshot();
  const out = catalogedOf({ ...snap, layerProblems: [], osProblems: [] }, catalogers, layers);
  return { tree: fold.tree, ...out };
}
