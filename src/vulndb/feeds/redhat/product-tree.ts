import { PackageURL } from 'packageurl-js';
import { z } from 'zod';

/**
 * CSAF `product_tree` of Red Hat VEX and advisory documents
 * (https://redhatproductsecurity.github.io/security-data-guidelines/csaf-vex/): branches give
 * products (with a CPE) and components (with a purl); relationships make the product ids the
 * statuses name, `<product>:<component>`, possibly nested (component → module → product).
 */

const HelperSchema = z.object({ cpe: z.string().optional(), purl: z.string().optional() });
/** One branch node, checked without its children: the tree is walked iteratively (no recursion on hostile depth). */
const BranchNodeSchema = z.object({
  product: z.object({ product_id: z.string(), product_identification_helper: HelperSchema.optional() }).optional(),
  branches: z.array(z.unknown()).optional(),
});
const RelationshipSchema = z.object({
  full_product_name: z.object({ product_id: z.string() }),
  product_reference: z.string(),
  relates_to_product_reference: z.string(),
});
export const ProductTreeSchema = z.object({
  branches: z.array(z.unknown()).optional(),
  relationships: z.array(RelationshipSchema).optional(),
});
export type ProductTree = z.infer<typeof ProductTreeSchema>;

/** A binary or source rpm as a VEX status names it. */
export interface RpmComponent {
  /** Red Hat Enterprise Linux major release, from the product's CPE. */
  readonly major: string;
  /** Binary rpm name (or the source rpm's, for `arch=src` and unfixed components). */
  readonly name: string;
  /** `epoch:version-release`, present for fixed components only. */
  readonly evr?: string;
  readonly arch?: string;
  /** Module stream `name:stream`, e.g. `nodejs:18`. */
  readonly module?: string;
}

/**
 * RHEL proper: `cpe:/o:redhat:enterprise_linux:9::baseos`, `cpe:/a:redhat:enterprise_linux:8::appstream`.
 * EUS/AUS/TUS/E4S/ELS streams (`rhel_eus:8.6`, `rhel_els:6`) are subscription streams whose fixes a
 * plain RHEL image never receives, and layered products (OpenShift, …) are not the OS: both skipped.
 */
const RHEL_CPE = /^cpe:\/[ao]:redhat:enterprise_linux:(\d+)(?:[:.]|$)/;

interface Helper {
  readonly cpe?: string | undefined;
  readonly purl?: string | undefined;
}

/** Product tree index: resolves a full product id to an rpm component in a RHEL release. */
export class ProductIndex {
  readonly #helpers = new Map<string, Helper>();
  readonly #relations = new Map<string, { component: string; parent: string }>();

  constructor(tree: ProductTree | undefined) {
    const stack: { b: unknown; depth: number }[] = (tree?.branches ?? []).map((b) => ({ b, depth: 0 }));
    while (stack.length > 0) {
      const { b, depth } = stack.pop() as { b: unknown; depth: number };
      const node = BranchNodeSchema.safeParse(b);
      if (!node.success) continue;
      const product = node.data.product;
      if (product) this.#helpers.set(product.product_id, product.product_identification_helper ?? {});
      // Real trees are 4 levels deep (vendor, family, name or architecture, version).
      if (depth < 16) for (const c of node.data.branches ?? []) stack.push({ b: c, depth: depth + 1 });
    }
    for (const r of tree?.relationships ?? []) {
      this.#relations.set(r.full_product_name.product_id, { component: r.product_reference, parent: r.relates_to_product_reference });
    }
  }

  /** The RHEL major of a product id, following nested relationships up to a product with a CPE. */
  #major(id: string, depth = 0): { major?: string; module?: string } {
    const cpe = this.#helpers.get(id)?.cpe;
    if (cpe) {
      const m = RHEL_CPE.exec(cpe);
      return m ? { major: m[1] as string } : {};
    }
    const rel = this.#relations.get(id);
    if (!rel || depth > 8) return {};
    const up = this.#major(rel.parent, depth + 1);
    const module = up.module ?? moduleOf(this.#helpers.get(rel.component)?.purl);
    return module ? { ...up, module } : up;
  }

  /** Undefined when the id names no rpm of a RHEL release (another product, an image, a module). */
  resolve(fullId: string): RpmComponent | 'unknown' | undefined {
    const rel = this.#relations.get(fullId);
    if (!rel) return 'unknown';
    const { major, module: parentModule } = this.#major(rel.parent);
    if (major === undefined) return undefined;
    const rpm = rpmOf(this.#helpers.get(rel.component)?.purl);
    if (!rpm) return undefined;
    const module = rpm.module ?? parentModule;
    return { major, ...rpm, ...(module ? { module } : {}) };
  }
}

type Rpm = Omit<RpmComponent, 'major'>;

function parsePurl(purl: string | undefined): PackageURL | undefined {
  if (!purl) return undefined;
  try {
    return PackageURL.fromString(purl);
  } catch {
    return undefined;
  }
}

/** `name:stream` of an `rpmmod` qualifier (`nodejs:18:8100020240807161023:9`) or module purl. */
function moduleOf(purl: string | undefined): string | undefined {
  const p = parsePurl(purl);
  if (!p || p.type !== 'rpmmod' || p.namespace !== 'redhat' || !p.version) return undefined;
  const stream = p.version.split(':')[0];
  return stream ? `${p.name}:${stream}` : undefined;
}

/** An rpm component from its purl: `pkg:rpm/redhat/<name>@<v>-<r>?arch=&epoch=&rpmmod=` or `pkg:rpmmod/redhat/<mod>:<stream>/<name>`. */
export function rpmOf(purl: string | undefined): Rpm | undefined {
  const p = parsePurl(purl);
  if (!p) return undefined;
  const q = p.qualifiers ?? {};
  if (p.type === 'rpm' && p.namespace === 'redhat') {
    const mod = q.rpmmod?.split(':');
    const module = mod && mod.length >= 2 ? `${mod[0]}:${mod[1]}` : undefined;
    const epoch = q.epoch ?? '0';
    return {
      name: p.name,
      ...(p.version ? { evr: `${epoch}:${p.version}` } : {}),
      ...(q.arch ? { arch: q.arch } : {}),
      ...(module ? { module } : {}),
    };
  }
  // Unfixed modular components: pkg:rpmmod/redhat/ruby:2.6/ruby.
  if (p.type === 'rpmmod' && p.namespace?.startsWith('redhat/')) return { name: p.name, module: p.namespace.slice('redhat/'.length) };
  return undefined;
}
