import type { Location } from '../core/package.js';
import { problem, type Problem } from '../core/problem.js';
import type { CapturedFile, CatalogView } from './types.js';

type FileRef = Pick<CapturedFile, 'path' | 'layerDiffId'>;

/** The package location of a captured file: its path and the layer that last wrote it. */
export function fileLocation(file: FileRef): Location {
  return { path: file.path, ...(file.layerDiffId ? { layerDiffId: file.layerDiffId } : {}) };
}

/** Where a cataloger's problem happened: the file, the layer that wrote it, the cataloger. */
export function fileContext(file: FileRef, source: string): { path: string; source: string; layer?: string } {
  return { path: file.path, source, ...(file.layerDiffId ? { layer: file.layerDiffId } : {}) };
}

/** A summary a cataloger's `summarize` made, with the file it came from. */
export interface Summarized {
  readonly file: CapturedFile;
  readonly location: Location;
  readonly summary: { readonly [key: string]: unknown };
}

/**
 * The files of a view that `id` summarized into something (null summaries: nothing there).
 * A summary carrying `error` becomes a problem (FILE_TOO_LARGE when it says `tooLarge`).
 */
export function summarizedFiles(view: CatalogView, id: string, problems: Problem[]): Summarized[] {
  const out: Summarized[] = [];
  for (const file of view.files()) {
    const summary = file.summaries?.[id];
    if (!summary) continue;
    if (typeof summary.error === 'string') {
      const code = summary.tooLarge === true ? 'FILE_TOO_LARGE' : 'CATALOG_PARSE';
      problems.push(problem(code, `${file.path}: ${summary.error}`, fileContext(file, id)));
      continue;
    }
    out.push({ file, location: fileLocation(file), summary });
  }
  return out;
}
