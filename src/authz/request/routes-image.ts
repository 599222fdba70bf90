import { all, first, none, type RouteContext, type RouteSpec } from './route-spec.js';

// A digest as the `tag` parameter (`algorithm:hex`), which dockerd pins instead of tagging.
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

/** Splits `name[:tag][@digest]`; the tag's colon must come after the last slash (a registry port is not a tag). */
function splitReference(ref: string): { name: string; tag?: string; digest?: string } {
  const at = ref.indexOf('@');
  const digest = at < 0 ? undefined : ref.slice(at + 1);
  const rest = at < 0 ? ref : ref.slice(0, at);
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) return { name: rest.slice(0, colon), tag: rest.slice(colon + 1), ...(digest ? { digest } : {}) };
  return { name: rest, ...(digest ? { digest } : {}) };
}

/**
 * The reference dockerd pulls for `POST /images/create?fromImage=…&tag=…` (moby
 * postImagesCreate): a trailing `:` is dropped ("pull -a" sends one); a `tag` that parses as
 * a digest pins the bare name (`name@digest`); any other tag replaces the reference's tag
 * and keeps its digest. The name is left as the client wrote it (not normalized to
 * docker.io/library/…); the image policy normalizes.
 */
export function pullReference(ctx: RouteContext): string | undefined {
  const image = first(ctx, 'fromImage')?.replace(/:$/, '');
  if (!image) return undefined;
  const tag = first(ctx, 'tag');
  if (!tag) return image;
  const ref = splitReference(image);
  if (DIGEST.test(tag)) return `${ref.name}@${tag}`;
  return `${ref.name}:${tag}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** `docker import`: the repository (`repo`, possibly with its tag) and `tag`. */
function importReference(ctx: RouteContext): string | undefined {
  const repo = first(ctx, 'repo');
  const tag = first(ctx, 'tag');
  if (!repo) return undefined;
  return tag ? `${splitReference(repo).name}:${tag}` : repo;
}

/** `POST /images/{name}/push?tag=`: without a tag dockerd pushes every tag of the name. */
function pushReference(ctx: RouteContext): string | undefined {
  const name = ctx.vars.name;
  const tag = first(ctx, 'tag');
  return name && tag ? `${name}:${tag}` : name;
}

export const IMAGE_ROUTES: readonly RouteSpec[] = [
  { method: 'GET', path: '/images/json', action: 'image.list', object: none },
  { method: 'GET', path: '/images/search', action: 'image.search', object: (c) => first(c, 'term') },
  { method: 'GET', path: '/images/get', action: 'image.save', object: (c) => all(c, 'names') },
  { method: 'GET', path: '/images/{name:.*}/get', action: 'image.save' },
  { method: 'GET', path: '/images/{name:.*}/history', action: 'image.history' },
  { method: 'GET', path: '/images/{name:.*}/json', action: 'image.inspect' },
  { method: 'POST', path: '/images/load', action: 'image.load', object: none },
  {
    method: 'POST',
    path: '/images/create',
    action: 'image.pull',
    // dockerd pulls whenever fromImage is set, even beside fromSrc; else it imports.
    resolve: (c) => (first(c, 'fromImage') ? 'image.pull' : 'image.import'),
    object: (c) => (first(c, 'fromImage') ? pullReference(c) : importReference(c)),
  },
  { method: 'POST', path: '/images/{name:.*}/push', action: 'image.push', object: pushReference },
  // The source image; the new name is in query repo/tag.
  { method: 'POST', path: '/images/{name:.*}/tag', action: 'image.tag' },
  { method: 'POST', path: '/images/prune', action: 'image.prune', object: none },
  { method: 'DELETE', path: '/images/{name:.*}', action: 'image.delete' },
];

/** moby api/server/router/build and /distribution. */
export const BUILD_ROUTES: readonly RouteSpec[] = [
  { method: 'POST', path: '/build', action: 'image.build', object: (c) => all(c, 't') },
  { method: 'POST', path: '/build/prune', action: 'image.build-prune', object: none },
  { method: 'POST', path: '/build/cancel', action: 'image.build-cancel', object: (c) => first(c, 'id') },
];

export const DISTRIBUTION_ROUTES: readonly RouteSpec[] = [{ method: 'GET', path: '/distribution/{name:.*}/json', action: 'distribution.inspect' }];
