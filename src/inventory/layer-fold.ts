import { detectOs } from '../catalog/os/index.js';
import type { CatalogResult, Cataloger } from '../catalog/types.js';
import type { OsInfo } from '../core/os.js';
import type { LayerRef, Package, Relationship } from '../core/package.js';
import type { Problem } from '../core/problem.js';
import type { LayerAnalysis } from '../image/layers/analysis.js';
import { FileTree } from '../image/tree/file-tree.js';
import { applyCaptured, type CapturedState, readResolved, runCataloger, View } from './captured-state.js';
import { keptPackages, linkOwnership, type Ownership } from './ownership.js';
import { RecordingTree, type Seen } from './recording-tree.js';

/** One cataloger's latest result and, per package id, the first layer of its unbroken presence. */
export interface CatalogerState {
  readonly result: CatalogResult;
  readonly first: ReadonlyMap<string, number>;
}

/**
 * What cataloging layers 0..k leaves behind, without the file tree and captured files
 * (those are rebuilt from the per-layer cache when a later layer needs them). It is a
 * function of layers 0..k only, so it can be cached by their digests and resumed from.
 */
export interface FoldSnapshot {
  /** k + 1: how many layers were applied. */
  readonly layers: number;
  readonly os: OsInfo | undefined;
  /** Problems of OS detection at layer k. */
  readonly osProblems: readonly Problem[];
  /** Problems the layer reader recorded, per layer 0..k. */
  readonly layerProblems: readonly (readonly Problem[])[];
  /** By cataloger id, for every cataloger that ran at least once. */
  readonly catalogers: ReadonlyMap<string, CatalogerState>;
}

/** The final stage on top of a snapshot, and what it looked at (to decide later whether it still holds). */
export interface FinalStage {
  readonly ownership: Ownership;
  /** Paths OS detection and ownership looked up, and what they saw. */
  readonly seen: ReadonlyMap<string, Seen>;
  /** Paths of every captured file in the top view. */
  readonly captured: readonly string[];
}

export interface Cataloged {
  readonly packages: Package[];
  readonly relationships: Relationship[];
  /** Layer problems, then OS detection, then catalogers (in registry order). */
  readonly problems: Problem[];
}

/**
 * Catalogs an image layer by layer, bottom-up. After each layer, the catalogers whose files
 * changed run again on the view of the image as it is at that layer (its files, its tree,
 * the OS detected in it); when the detected OS changes, every cataloger that ran re-runs.
 * Everything at layer k therefore depends on layers 0..k only, which is what makes a
 * snapshot reusable by any image that starts with the same layers. A package is attributed
 * to the earliest layer from which it stayed present, unchanged, up to the top: the layer
 * that introduced that exact version (an upgrade moves it; rewriting the database does not).
 */
export class LayerFold {
  readonly tree = new FileTree();
  readonly state: CapturedState = new Map();
  private os: OsInfo | undefined;
  private osKey = 'undefined';
  private osProblems: readonly Problem[] = [];
  private readonly layerProblems: (readonly Problem[])[] = [];
  private readonly results = new Map<string, CatalogerState>();

  /**
   * `fixedOs` skips detection (callers that already know the OS); `from` resumes after the
   * snapshot's layers, whose files and tree must then be restored with `replay`.
   */
  constructor(
    private readonly catalogers: readonly Cataloger[],
    private readonly diffIds: readonly (string | undefined)[],
    private readonly opts: { readonly fixedOs?: OsInfo; readonly from?: FoldSnapshot } = {},
  ) {
    const from = opts.from;
    if (from) {
      this.setOs(from.os);
      this.osProblems = from.osProblems;
      this.layerProblems.push(...from.layerProblems);
      for (const [id, s] of from.catalogers) this.results.set(id, s);
    } else if (opts.fixedOs) this.setOs(opts.fixedOs);
  }

  /** Layers applied so far (files and catalogers). */
  get applied(): number {
    return this.layerProblems.length;
  }

  private setOs(os: OsInfo | undefined): boolean {
    const key = JSON.stringify(os);
    const changed = key !== this.osKey;
    this.os = os;
    this.osKey = key;
    return changed;
  }

  /** Restores the files and tree of a layer below the resume point (its catalogers already ran). */
  replay(index: number, a: LayerAnalysis): void {
    applyCaptured(this.state, a, this.diffIds[index]);
    this.tree.applyLayer(index, a);
  }

  /** Applies the next layer and re-runs the catalogers it concerns. */
  step(index: number, a: LayerAnalysis): void {
    if (index !== this.applied) throw new Error(`layer ${index} applied out of order (expected ${this.applied})`);
    const changed = applyCaptured(this.state, a, this.diffIds[index]);
    this.tree.applyLayer(index, a);
    this.layerProblems.push(a.problems);
    if (!this.opts.fixedOs) {
      const detection = detectOs((path) => readResolved(this.state, this.tree, path)?.content, (path) => this.tree.exists(path));
      this.osProblems = detection.problems;
      if (this.setOs(detection.os)) for (const id of this.results.keys()) changed.add(id);
    }
    for (const c of this.catalogers) {
      if (!changed.has(c.id)) continue;
      const result = runCataloger(c, new View(this.state, this.tree, c, this.os));
      const before = this.results.get(c.id)?.first;
      const first = new Map<string, number>();
      for (const p of result.packages) if (!first.has(p.id)) first.set(p.id, before?.get(p.id) ?? index);
      this.results.set(c.id, { result, first });
    }
  }

  snapshot(): FoldSnapshot {
    return { layers: this.applied, os: this.os, osProblems: this.osProblems, layerProblems: [...this.layerProblems], catalogers: new Map(this.results) };
  }

  /** Ownership on the top view, recording what it (and OS detection) looked at. */
  finalStage(packages: readonly Package[]): FinalStage {
    const rec = new RecordingTree(this.tree);
    if (!this.opts.fixedOs) detectOs((path) => readResolved(this.state, rec, path)?.content, (path) => rec.exists(path));
    const ownership = linkOwnership(packages, rec);
    return { ownership, seen: rec.seen, captured: [...this.state.keys()] };
  }
}

/** Packages (attributed to `layers`), relationships and problems of a snapshot, in registry order. */
export function catalogedOf(snap: FoldSnapshot, catalogers: readonly Cataloger[], layers: readonly LayerRef[]): Cataloged {
  const packages: Package[] = [];
  const relationships: Relationship[] = [];
  const problems: Problem[] = [...snap.layerProblems.flat(), ...snap.osProblems];
  for (const c of catalogers) {
    const s = snap.catalogers.get(c.id);
    if (!s) continue;
    for (const pkg of s.result.packages) {
      const at = s.first.get(pkg.id);
      const layer = at === undefined ? undefined : layers[at];
      packages.push(layer ? { ...pkg, layer } : pkg);
    }
    relationships.push(...s.result.relationships);
    problems.push(...s.result.problems);
  }
  return { packages, relationships, problems };
}

/** The inventory's packages and relationships once ownership has been applied. */
export function withOwnership(cataloged: Cataloged, owned: Ownership): { packages: Package[]; relationships: Relationship[] } {
  const { packages, dropped } = keptPackages(cataloged.packages, owned);
  const relationships = [...cataloged.relationships, ...owned.relationships].filter((r) => !dropped.has(r.from) && !dropped.has(r.to));
  return { packages, relationships };
}
