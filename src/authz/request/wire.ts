import { z } from 'zod';

/**
 * Docker's AuthZ plugin protocol on the wire, as dockerd marshals it (moby
 * pkg/authorization/api.go; https://docs.docker.com/engine/extend/plugins_authorization/).
 *
 * The same `Request` object goes to `/AuthZPlugin.AuthZReq` and, with the Response* fields
 * filled in, to `/AuthZPlugin.AuthZRes`. Every field is `omitempty` in Go, so any of them may
 * be missing; the real captures in testdata/ show what is there:
 *  - on the unix socket `User` and `UserAuthNMethod` are absent; over TLS with a verified
 *    client certificate they are the certificate's CN and `"TLS"`;
 *  - the URI key is `RequestUri` (Go field RequestURI), the raw request target, undecoded;
 *  - `RequestBody` / `ResponseBody` are Go `[]byte`, so standard base64 with padding;
 *  - `RequestPeerCertificates` are Go `[]byte` of PEM text, so base64 strings too;
 *  - `ResponseStatusCode` is absent when the handler never set one (HEAD /_ping, hijacked
 *    attach and exec streams).
 */

/** Standard base64 with padding, as Go's encoding/json writes a []byte. */
export const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const base64 = z.string().regex(BASE64, 'not standard base64');
// dockerd flattens http.Header to one value per name (the last one), Authorization,
// X-Registry-Auth and X-Registry-Config removed.
const headerMap = z.record(z.string(), z.string());

export const AuthzWireRequestSchema = z.object({
  User: z.string().exactOptional(),
  UserAuthNMethod: z.string().exactOptional(),
  RequestMethod: z.string().min(1),
  RequestUri: z.string().min(1),
  RequestBody: base64.nullable().exactOptional(),
  RequestHeaders: headerMap.nullable().exactOptional(),
  // Certificates and response bodies are never decoded here (dockerd verified the client
  // certificate; the response is only audited): checked as strings, not as base64.
  RequestPeerCertificates: z.array(z.string()).nullable().exactOptional(),
  ResponseStatusCode: z.number().int().min(0).max(999).exactOptional(),
  ResponseBody: z.string().nullable().exactOptional(),
  ResponseHeaders: headerMap.nullable().exactOptional(),
});

/** One AuthZ request or response-phase payload as dockerd sent it (unknown keys dropped). */
export type AuthzWireRequest = z.infer<typeof AuthzWireRequestSchema>;

/** What the plugin answers to both AuthZReq and AuthZRes (moby authorization.Response). */
export const AuthzPluginResponseSchema = z.object({
  Allow: z.boolean(),
  Msg: z.string().exactOptional(),
  Err: z.string().exactOptional(),
});

export type AuthzPluginResponse = z.infer<typeof AuthzPluginResponseSchema>;

/** The byte length a valid base64 string decodes to, without decoding it. */
export function base64DecodedLength(b64: string): number {
  const pad = b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0;
  return (b64.length / 4) * 3 - pad;
}
