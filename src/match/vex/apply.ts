import type { Finding, VexAnnotation } from '../../core/finding.js';
import type { Package, Relationship } from '../../core/package.js';
import type { Problem } from '../../core/problem.js';
import { imageIdentity, type ImageIdentity } from './image.js';
import { normalizeVulnId, SUPPRESSING_STATUSES, type ComponentRef, type ProductRef, type VexDocument, type VexStatement } from './model.js';
import { parsePurl, purlCovers, type Purl } from './purl.js';
import { compareInstants } from './timestamp.js';
import { vexProblem } from './warnings.js';

/** The packages a statement about a product with subcomponents can be checked against. */
export interface VexInventory {
  readonly packages: readonly InventoryPackage[];
  readonly relationships: readonly Relationship[];
}

type InventoryPackage = Pick<Package, 'id' | 'type' | 'purl' | 'version' | 'locations'>;

export interface ApplyVexOptions {
  /** What identifies the scanned image: digests, references, pkg:oci purls (see image.ts). */
  readonly imageRefs: readonly string[];
  /**
   * The scan's inventory. Needed only for statements whose product is a package (not the image)
   * with subcomponents: the finding's package must then be that product's dependency
   * (`depends-on`/`contains`, transitively) or share its file (a Go or Rust binary, a lockfile).
   * Without it, the findings' own packages are used, with no relationships.
   */
  readonly inventory?: VexInventory;
}

export interface VexResult {
  /** Findings still reported, in input order; `vex` set when an affected / under_investigation statement applies. */
  readonly findings: Finding[];
  /** Findings a not_affected or fixed statement removed, in input order, with `vex` set. */
  readonly suppressed: Finding[];
  readonly problems: Problem[];
}

interface Candidate {
  readonly doc: VexDocument;
  readonly docIndex: number;
  readonly stmtIndex: number;
  readonly stmt: VexStatement;
}

type FindingPackage = Finding['package'];

/**
 * Applies VEX documents (in command-line order) to findings. Per finding, the statements whose
 * vulnerability is the finding's id or an alias and whose product covers its package compete;
 * the latest timestamp wins (OpenVEX "Inheritance Flow"), then the later document, then the
 * later statement in it (as go-vex's EffectiveStatement).
 */
export function applyVex(findings: readonly Finding[], docs: readonly VexDocument[], opts: ApplyVexOptions): VexResult {
  const byVuln = indexStatements(docs);
  const image = imageIdentity(opts.imageRefs);
  const purls = new Map<string, Purl | undefined>();
  const purlOf = (text: string): Purl | undefined => {
    if (!purls.has(text)) purls.set(text, parsePurl(text));
    return purls.get(text);
  };
  const contains = containment(opts.inventory ?? { packages: findings.map((f) => f.package), relationships: [] }, purlOf);
  const warned = new Set<VexStatement>();
  const kept: Finding[] = [];
  const suppressed: Finding[] = [];
  const problems: Problem[] = [];

  for (const finding of findings) {
    const seen = new Set<Candidate>();
    let best: Candidate | undefined;
    for (const id of new Set([finding.id, ...finding.aliases].map(normalizeVulnId))) {
      for (const c of byVuln.get(id) ?? []) {
        if (seen.has(c)) continue;
        seen.add(c);
        if (!applies(c.stmt, finding.package, purlOf(finding.package.purl), image, contains)) continue;
        if (!best || wins(c, best)) best = c;
      }
    }
    if (!best) {
      kept.push(finding);
      continue;
    }
    const { stmt, doc } = best;
    if (stmt.missingJustification && !warned.has(stmt)) {
      warned.add(stmt);
      problems.push(
        vexProblem(
          `${stmt.where}: not_affected without a justification or impact statement (required by the VEX minimum requirements); applied anyway, first to ${finding.id} in ${finding.package.id}`,
          doc.path ?? doc.name,
        ),
      );
    }
    const vex: VexAnnotation = {
      status: stmt.status,
      ...(stmt.justification ? { justification: stmt.justification } : {}),
      ...(stmt.text ? { statement: stmt.text } : {}),
      document: doc.name,
    };
    (SUPPRESSING_STATUSES.has(stmt.status) ? suppressed : kept).push({ ...finding, vex });
  }
  return { findings: kept, suppressed, problems };
}

function indexStatements(docs: readonly VexDocument[]): Map<string, Candidate[]> {
  const out = new Map<string, Candidate[]>();
  docs.forEach((doc, docIndex) =>
    doc.statements.forEach((stmt, stmtIndex) => {
      const c: Candidate = { doc, docIndex, stmtIndex, stmt };
      for (const id of stmt.vulnerabilities) {
        const list = out.get(id);
        if (list) list.push(c);
        else out.set(id, [c]);
      }
    }),
  );
  return out;
}

function wins(a: Candidate, b: Candidate): boolean {
  return (compareInstants(a.stmt.time, b.stmt.time) || a.docIndex - b.docIndex || a.stmtIndex - b.stmtIndex) > 0;
}

type Contains = (product: ProductRef, pkg: FindingPackage) => boolean;

/**
 * A product with subcomponents speaks about those packages inside it. The image contains every
 * package; another product must be shown to contain the finding's package.
 */
function applies(stmt: VexStatement, pkg: FindingPackage, purl: Purl | undefined, image: ImageIdentity, contains: Contains): boolean {
  return stmt.products.some((product) => {
    if (product.subcomponents.length === 0) return covers(product, pkg, purl) || image.matches(product);
    if (!product.subcomponents.some((s) => covers(s, pkg, purl))) return false;
    return image.matches(product) || contains(product, pkg);
  });
}

/** Whether a statement's component names this package: purl rules, or an identifier equal to its id or purl. */
function covers(ref: ComponentRef, pkg: Pick<Package, 'id' | 'purl' | 'version'>, purl: Purl | undefined): boolean {
  if (ref.versions && !ref.versions.includes(pkg.version)) return false;
  if (purl && ref.purls.some((p) => purlCovers(p, purl))) return true;
  return ref.ids.includes(pkg.id) || ref.ids.includes(pkg.purl);
}

/** OS packages all share their database file (/var/lib/dpkg/status): sharing it proves nothing. */
const OS_TYPES: ReadonlySet<string> = new Set(['deb', 'apk', 'rpm']);

function containment(inv: VexInventory, purlOf: (text: string) => Purl | undefined): Contains {
  const edges = new Map<string, string[]>();
  for (const r of inv.relationships) {
    if (r.type !== 'depends-on' && r.type !== 'contains') continue;
    const list = edges.get(r.from);
    if (list) list.push(r.to);
    else edges.set(r.from, [r.to]);
  }
  const memo = new Map<ProductRef, { ids: Set<string>; paths: Set<string> }>();
  const reach = (product: ProductRef): { ids: Set<string>; paths: Set<string> } => {
    const cached = memo.get(product);
    if (cached) return cached;
    const roots = inv.packages.filter((p) => covers(product, p, purlOf(p.purl)));
    const ids = new Set<string>();
    const queue = roots.flatMap((r) => edges.get(r.id) ?? []);
    for (let id = queue.pop(); id !== undefined; id = queue.pop()) {
      if (ids.has(id)) continue;
      ids.add(id);
      queue.push(...(edges.get(id) ?? []));
    }
    const files = roots.filter((r) => !OS_TYPES.has(r.type)).flatMap((r) => r.locations.map((l) => l.path));
    const result = { ids, paths: new Set(files) };
    memo.set(product, result);
    return result;
  };
  return (product, pkg) => {
    const { ids, paths } = reach(product);
    return ids.has(pkg.id) || (!OS_TYPES.has(pkg.type) && pkg.locations.some((l) => paths.has(l.path)));
  };
}
