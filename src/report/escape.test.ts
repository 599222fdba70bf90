import { XMLParser, XMLValidator } from 'fast-xml-parser';
import MarkdownIt from 'markdown-it';
import { describe, expect, it } from 'vitest';
import { markdownCode, markdownInline, workflowData, workflowProperty, xmlAttr, xmlText } from './escape.js';

/** Each escaper is checked by the consumer that reads it: an XML parser, a GFM renderer, the runner's decoding rules. */

const HOSTILE = ['plain', `q"uo'te`, '<tag attr="x">&amp;</tag>', ']]>', 'a|b||c', 'line\nbreak\r\nand\rcr', 'tab\there', '%0A%25%', 'x:y,z', '💥 é 中文', '\u0000\u0007\u001f\uFFFE', '\uD800 lone', '`code` **bold** [l](javascript:x) <img src=x onerror=y> # h ~~s~~ _i_ \\'];

/** The actions runner's decoding of command data and properties (actions/runner ActionCommand.Unescape*). */
function unescapeData(s: string): string {
  return s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
}
function unescapeProperty(s: string): string {
  return s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');
}

describe('xml escaping', () => {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', parseTagValue: false, parseAttributeValue: false, trimValues: false, htmlEntities: true });
  it.each(HOSTILE)('keeps %j well-formed and round-trips it through a parser', (s) => {
    const doc = `<r a="${xmlAttr(s)}">${xmlText(s)}</r>`;
    expect(XMLValidator.validate(doc)).toBe(true);
    const r = parser.parse(doc).r as { a: string; '#text'?: string };
    // What cannot be carried is replaced by U+FFFD and nothing else changes.
    const expected = s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])/g, '\uFFFD');
    expect(r.a).toBe(expected.replace(/[\t\n\r]/g, ' '));
    expect(r['#text'] ?? '').toBe(expected.replace(/\r\n?/g, '\n'));
  });

  it('never lets a value open markup or leave its attribute', () => {
    for (const s of HOSTILE) {
      expect(xmlAttr(s)).not.toMatch(/[<>"]/);
      expect(xmlText(s)).not.toMatch(/[<>]/);
    }
  });
});

/** Lone surrogates as U+FFFD, which is what they become when the text is written as UTF-8. */
const wellFormed = (s: string) => Buffer.from(s, 'utf8').toString('utf8');

describe('markdown escaping', () => {
  const md = new MarkdownIt({ html: true, linkify: false });
  it.each(HOSTILE)('renders %j as one table cell of plain text', (s) => {
    const table = `| a | b |\n| --- | --- |\n| ${markdownInline(s)} | ${markdownCode(s)} |\n`;
    const html = md.render(table);
    const cells = [...html.matchAll(/<td>([\s\S]*?)<\/td>/g)].map((m) => m[1] as string);
    expect(cells).toHaveLength(2);
    // No element but the code span: no link, image, emphasis or raw HTML from the value.
    expect(cells[0]).not.toMatch(/<(?!\/?code>)/);
    expect((cells[1] ?? '').replace(/^<code>|<\/code>$/g, '')).not.toMatch(/</);
    const text = (h: string) => h.replace(/<\/?code>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
    const visible = s.replace(/\r\n|\r|\n/g, ' ').replace(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g, '');
    expect(wellFormed(text(cells[0] ?? '')).trim()).toBe(wellFormed(visible).trim());
    expect(wellFormed(text(cells[1] ?? ''))).toBe(wellFormed(visible.replace(/`/g, 'ˋ')));
  });
});

describe('workflow command escaping', () => {
  it.each(HOSTILE)('keeps %j on one line and decodes back to it', (s) => {
    const clean = s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g, '');
    expect(workflowData(s)).not.toMatch(/[\r\n]/);
    expect(unescapeData(workflowData(s))).toBe(clean);
    expect(workflowProperty(s)).not.toMatch(/[\r\n:,]/);
    expect(unescapeProperty(workflowProperty(s))).toBe(clean);
  });
});
