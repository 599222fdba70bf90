import { z } from 'zod';
import { compileGlobs, compileInNotIn, InNotInSchema, inNotIn } from './lists.js';
import { defineField, type FieldDef } from './types.js';

/**
 * Trust criteria: where the image comes from and whether it is what its publisher signed.
 * Facts come from the input's `image` (registry, repository and tag parsed from the
 * reference, the manifest digest, the config's diffIDs) and `signatures` (src/trust).
 * A fact the input lacks never satisfies an allow list: unknown means untrusted.
 */

const registry = defineField({
  name: 'registry',
  family: 'trust',
  level: 'image',
  type: '{in?: [glob], notIn?: [glob]}',
  description: 'The image\'s registry (`docker.io`, `registry.example.com:5000`) is in the deny list `in`, and/or not in the allow list `notIn`. An unknown registry is never on the allow list.',
  example: "registry: {notIn: ['registry.example.com', '*.corp.example']}",
  schema: InNotInSchema,
  compile(v, _env, diag) {
    const c = compileInNotIn(v, { caseInsensitive: true }, diag);
    if (!c) return undefined;
    return {
      level: 'image',
      describe: `registry ${c.describe}`,
      test: ({ input }) => {
        const r = input.image.registry;
        if (r === undefined) return { matched: c.notIn !== undefined, why: `the image has no known registry (${input.image.reference})${c.notIn ? ', so it is not on the allow list' : ''}` };
        const m = inNotIn(c, [r]);
        return { matched: m, why: `registry ${r} ${m ? 'is' : 'is not'} ${c.describe}` };
      },
    };
  },
});

const repository = defineField({
  name: 'repository',
  family: 'trust',
  level: 'image',
  type: '{in?: [glob], notIn?: [glob]}',
  description: 'The repository is in the deny list `in`, and/or not in the allow list `notIn`. Globs match the path (`library/*`) or the full name (`docker.io/library/*`); `*` stays within one path segment, `**` crosses them.',
  example: "repository: {notIn: ['docker.io/library/*', 'team-a/**']}",
  schema: InNotInSchema,
  compile(v, _env, diag) {
    const c = compileInNotIn(v, { segments: true }, diag);
    if (!c) return undefined;
    return {
      level: 'image',
      describe: `repository ${c.describe}`,
      test: ({ input }) => {
        const { registry: reg, repository: repo } = input.image;
        if (repo === undefined) return { matched: c.notIn !== undefined, why: `the image has no known repository (${input.image.reference})` };
        const m = inNotIn(c, reg ? [repo, `${reg}/${repo}`] : [repo]);
        return { matched: m, why: `repository ${reg ? `${reg}/` : ''}${repo} ${m ? 'is' : 'is not'} ${c.describe}` };
      },
    };
  },
});

const tag = defineField({
  name: 'tag',
  family: 'trust',
  level: 'image',
  type: '{in?: [glob], notIn?: [glob]}',
  description: 'The reference\'s tag is in the deny list `in` (e.g. `latest`), and/or not in the allow list `notIn`.',
  example: 'tag: {in: [latest]}',
  schema: InNotInSchema,
  compile(v, _env, diag) {
    const c = compileInNotIn(v, {}, diag);
    if (!c) return undefined;
    return {
      level: 'image',
      describe: `tag ${c.describe}`,
      test: ({ input }) => {
        const t = input.image.tag;
        if (t === undefined) return { matched: c.notIn !== undefined, why: 'the reference has no tag' };
        const m = inNotIn(c, [t]);
        return { matched: m, why: `tag ${t} ${m ? 'is' : 'is not'} ${c.describe}` };
      },
    };
  },
});

const digestPinned = defineField({
  name: 'digestPinned',
  family: 'trust',
  level: 'image',
  type: 'boolean',
  description: 'Whether the reference pins a digest (`name@sha256:…`). `digestPinned: false` matches images referenced by tag only.',
  example: 'digestPinned: false',
  schema: z.boolean(),
  compile(v) {
    return {
      level: 'image',
      describe: v ? 'referenced by digest' : 'not referenced by digest',
      test: ({ input }) => {
        const pinned = input.image.referencedByDigest;
        return { matched: pinned === v, why: `${input.image.reference} ${pinned ? 'is' : 'is not'} referenced by digest` };
      },
    };
  },
});

const BaseSchema = z
  .strictObject({
    name: z.string().min(1).optional(),
    diffIds: z.array(z.string().regex(/^sha256:[0-9a-f]{64}$/, 'a diffID is sha256:<64 hex>')).min(1).max(1000).optional(),
    ref: z.string().min(1).optional(),
  })
  .refine((b) => (b.diffIds === undefined) !== (b.ref === undefined), 'give exactly one of diffIds (the base image\'s rootfs.diff_ids) or ref (an image the caller resolves at load)');

const baseImage = defineField({
  name: 'baseImage',
  family: 'trust',
  level: 'image',
  type: '{in?: [base], notIn?: [base]} where base = {name?, diffIds: [sha256:…]} | {name?, ref: image}',
  description:
    'The image is built on a listed base: its first N diffIDs equal the base\'s N diffIDs. `notIn` lists the trusted bases (matches when the image starts with none of them); `in` lists forbidden ones. A `ref` is resolved to its diffIDs when the policy is loaded.',
  example: "baseImage: {notIn: [{name: debian-12, ref: 'docker-archive:bases/debian12.tar'}]}",
  schema: z.strictObject({ in: z.array(BaseSchema).min(1).optional(), notIn: z.array(BaseSchema).min(1).optional() }).refine((v) => v.in || v.notIn, 'give "in" and/or "notIn"'),
  compile(v, env, diag) {
    let bad = false;
    const resolve = (list: z.output<typeof BaseSchema>[] | undefined, key: string) =>
      list?.map((b, i) => {
        const ids = b.diffIds ?? (b.ref !== undefined ? env.baseImages.get(b.ref) : undefined);
        if (!ids || ids.length === 0) {
          bad = true;
          diag(`base image ${b.ref} was not resolved to its diffIDs`, `${key}[${i}].ref`);
        }
        return { name: b.name ?? b.ref ?? `base ${i + 1}`, ids: ids ?? [] };
      });
    const inB = resolve(v.in, 'in');
    const notB = resolve(v.notIn, 'notIn');
    if (bad) return undefined;
    const startsWith = (have: readonly string[], base: readonly string[]) => base.length <= have.length && base.every((d, i) => have[i] === d);
    return {
      level: 'image',
      describe: [inB ? `base image in [${inB.map((b) => b.name).join(', ')}]` : '', notB ? `base image not in [${notB.map((b) => b.name).join(', ')}]` : ''].filter(Boolean).join(' and '),
      test: ({ input }) => {
        const have = input.image.diffIds;
        const on = [...(inB ?? []), ...(notB ?? [])].find((b) => startsWith(have, b.ids));
        const forbidden = inB?.find((b) => startsWith(have, b.ids));
        const trusted = notB?.find((b) => startsWith(have, b.ids));
        const matched = (inB === undefined || forbidden !== undefined) && (notB === undefined || trusted === undefined);
        const why = on ? `the image's first ${on.ids.length} layers are ${on.name}'s` : `the image's layers start with none of the listed bases (${have.length} layers)`;
        return { matched, why };
      },
    };
  },
});

const SignatureSchema = z.union([
  z.literal(true),
  z.strictObject({ keyIds: z.array(z.string()).min(1).optional(), identities: z.array(z.string()).min(1).optional(), issuers: z.array(z.string()).min(1).optional() }),
]);

const signatureRequired = defineField({
  name: 'signatureRequired',
  family: 'trust',
  level: 'image',
  type: 'true | {keyIds?: [glob], identities?: [glob], issuers?: [glob]}',
  description:
    'Matches when the image is NOT signed as required: signatures were not checked, or no signature verified for the image\'s digest (by one of the key ids — `sha256:` of the public key, as src/trust reports them — or keyless identities and issuers, when given).',
  example: "signatureRequired: {identities: ['https://github.com/acme/*']}",
  schema: SignatureSchema,
  needs: 'signatures',
  compile(v, _env, diag) {
    const o = v === true ? {} : v;
    const keyIds = o.keyIds ? compileGlobs(o.keyIds, {}, diag, 'keyIds') : undefined;
    const identities = o.identities ? compileGlobs(o.identities, {}, diag, 'identities') : undefined;
    const issuers = o.issuers ? compileGlobs(o.issuers, {}, diag, 'issuers') : undefined;
    if ((o.keyIds && !keyIds) || (o.identities && !identities) || (o.issuers && !issuers)) return undefined;
    const by = [o.keyIds ? `key ${o.keyIds.join(' | ')}` : '', o.identities ? `identity ${o.identities.join(' | ')}` : '', o.issuers ? `issuer ${o.issuers.join(' | ')}` : ''].filter(Boolean).join(', ');
    return {
      level: 'image',
      describe: `not signed${by ? ` by ${by}` : ''}`,
      test: ({ input }) => {
        const s = input.signatures;
        if (!s?.checked) {
          const errs = s?.errors.map((e) => `[${e.code}] ${e.message}`).join('; ');
          return { matched: true, why: `signatures were not checked${errs ? `: ${errs}` : ''}` };
        }
        const digest = input.image.digest;
        const good = s.verified.filter(
          (sig) =>
            (digest === undefined || sig.digest === digest) &&
            (!keyIds || (sig.keyId !== undefined && keyIds.test(sig.keyId))) &&
            (!identities || (sig.identity !== undefined && identities.test(sig.identity))) &&
            (!issuers || (sig.issuer !== undefined && issuers.test(sig.issuer))),
        );
        if (good.length > 0) {
          const g = good[0];
          return { matched: false, why: `signed${g?.keyId ? ` with key ${g.keyId}` : ''}${g?.identity ? ` by ${g.identity}` : ''} (${good.length} verified signature${good.length > 1 ? 's' : ''})` };
        }
        const errs = s.errors.map((e) => `[${e.code}] ${e.message}`);
        const why = s.verified.length > 0 ? `${s.verified.length} signature(s) verified, none ${by ? `by ${by}` : ''} for ${digest ?? 'this image'}` : 'no signature verified';
        return { matched: true, why: `${why}${errs.length ? `: ${errs.join('; ')}` : ''}` };
      },
    };
  },
});

export const TRUST_FIELDS: readonly FieldDef[] = [baseImage, digestPinned, registry, repository, signatureRequired, tag];
