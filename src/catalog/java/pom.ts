/**
 * Maven's two embedded descriptors: `pom.properties` (written by maven-archiver) and
 * `pom.xml`. https://maven.apache.org/shared/maven-archiver/#pom-properties-content
 */

export interface Coordinates {
  readonly groupId?: string;
  readonly artifactId?: string;
  readonly version?: string;
}

/** Java properties subset: `key=value` or `key: value`, `#`/`!` comments. */
export function parsePomProperties(text: string): Coordinates {
  const props: Record<string, string> = {};
  for (const raw of text.split(/\r\n|\r|\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const m = /^([^=:\s]+)\s*[=:]\s*(.*)$/.exec(line);
    if (m) props[m[1]!] = m[2]!.trim();
  }
  return pick(props.groupId, props.artifactId, props.version);
}

export interface PomXml extends Coordinates {
  readonly licenses: string[];
}

/** Blocks whose `<groupId>`/`<version>` belong to something other than the project itself. */
const FOREIGN_BLOCKS = ['parent', 'dependencies', 'dependencyManagement', 'build', 'profiles', 'reporting', 'modules', 'distributionManagement', 'pluginRepositories', 'repositories', 'licenses', 'developers', 'contributors', 'organization', 'scm', 'issueManagement', 'ciManagement', 'mailingLists', 'properties'];

/** Text content of the first `<name>` element; undefined when it holds markup. */
function tag(xml: string, name: string): string | undefined {
  const s = span(xml, name);
  return s && !s.inner.includes('<') ? decode(s.inner.trim()) : undefined;
}

/** The first `<name>…</name>` span; indexOf keeps it linear on hostile, unclosed input. */
function span(xml: string, name: string, from = 0): { inner: string; start: number; end: number } | undefined {
  const open = new RegExp(`<${name}[\\s>]`, 'g');
  open.lastIndex = from;
  const m = open.exec(xml);
  if (!m) return undefined;
  const innerStart = xml.indexOf('>', m.index) + 1;
  const close = xml.indexOf(`</${name}>`, innerStart);
  if (innerStart === 0 || close < 0) return undefined;
  return { inner: xml.slice(innerStart, close), start: m.index, end: close + name.length + 3 };
}

function block(xml: string, name: string): string | undefined {
  return span(xml, name)?.inner;
}

function strip(xml: string, name: string): string {
  let out = '';
  let at = 0;
  for (let s = span(xml, name, at); s; s = span(xml, name, at)) {
    out += xml.slice(at, s.start);
    at = s.end;
  }
  return out + xml.slice(at);
}

function stripComments(text: string): string {
  let out = '';
  let at = 0;
  for (let open = text.indexOf('<!--'); open >= 0; open = text.indexOf('<!--', at)) {
    out += text.slice(at, open);
    const close = text.indexOf('-->', open + 4);
    if (close < 0) return out;
    at = close + 3;
  }
  return out + text.slice(at);
}

function decode(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}

/**
 * The project's own coordinates, inheriting groupId and version from `<parent>` when the
 * project omits them (Maven's model inheritance), plus licence names. Values that still hold
 * an unresolved `${property}` are dropped rather than reported verbatim. Not a full XML
 * parser: a regex reading over a size-bounded text, enough for maven-generated poms.
 */
export function parsePomXml(text: string): PomXml {
  const xml = stripComments(text);
  const parent = block(xml, 'parent') ?? '';
  let own = xml;
  for (const name of FOREIGN_BLOCKS) own = strip(own, name);
  const licenses: string[] = [];
  const list = block(xml, 'licenses') ?? '';
  for (let s = span(list, 'license'); s && licenses.length < 20; s = span(list, 'license', s.end)) {
    const name = tag(s.inner, 'name');
    if (name) licenses.push(name);
  }
  const coords = pick(tag(own, 'groupId') ?? tag(parent, 'groupId'), tag(own, 'artifactId'), tag(own, 'version') ?? tag(parent, 'version'));
  return { ...coords, licenses };
}

function pick(groupId: string | undefined, artifactId: string | undefined, version: string | undefined): Coordinates {
  const ok = (v: string | undefined): v is string => v !== undefined && v !== '' && !v.includes('${');
  return { ...(ok(groupId) ? { groupId } : {}), ...(ok(artifactId) ? { artifactId } : {}), ...(ok(version) ? { version } : {}) };
}
