/**
 * Identity for the Docker authorization plugin: who is asking (identityFromRequest) and
 * which groups they are in (makeGroupResolver: a local YAML file and/or an LDAP directory,
 * cached with a TTL). An unknown user, or a directory that cannot answer, yields no groups.
 */
export { type GroupsConfig, GroupsConfigSchema, type LdapConfig, LdapConfigSchema } from './config.js';
export { type AuthzRequestUser, identityFromRequest } from './identity.js';
export { type GroupLookup, type GroupResolver, type LookupSource, makeGroupResolver, MAX_USER_LENGTH, type ResolverOptions } from './resolver.js';
