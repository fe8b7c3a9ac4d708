// Reads the TwiML verbs this project answers with, with a conforming XML parser, so the simulator can follow a call the way Twilio would.
import { SaxesParser } from 'saxes';

export type TwimlVerbName = 'Connect' | 'Record' | 'Play' | 'Say' | 'Redirect' | 'Hangup' | 'Dial' | 'Pause';

export interface TwimlVerb {
  verb: TwimlVerbName;
  attrs: Record<string, string>;
  /** Text content (Play/Say/Redirect/Dial). */
  text?: string;
  /** For <Connect>: the <Stream> url and its <Parameter>s. */
  stream?: { url: string; statusCallback?: string; parameters: Record<string, string> };
}

interface Element {
  name: string;
  attrs: Record<string, string>;
  children: Element[];
  text: string;
}

const VERBS = new Set<string>(['Connect', 'Record', 'Play', 'Say', 'Redirect', 'Hangup', 'Dial', 'Pause']);

/** The document as a small element tree; throws on anything that is not well-formed XML (as Twilio does: error 12100). */
function parseXml(xml: string): Element {
  const parser = new SaxesParser({ xmlns: false });
  const stack: Element[] = [];
  let root: Element | undefined;
  let problem: Error | undefined;
  parser.on('error', (err) => {
    problem ??= err;
  });
  parser.on('opentag', (tag) => {
    const el: Element = { name: tag.name, attrs: { ...(tag.attributes as Record<string, string>) }, children: [], text: '' };
    stack.at(-1)?.children.push(el);
    root ??= el;
    stack.push(el);
  });
  parser.on('text', (text) => {
    const top = stack.at(-1);
    if (top) top.text += text;
  });
  parser.on('closetag', () => void stack.pop());
  try {
    parser.write(xml).close();
  } catch (err) {
    problem ??= err as Error;
  }
  if (problem || !root) throw new Error(`not well-formed XML (${problem?.message ?? 'no root element'}): ${xml.slice(0, 120)}`);
  return root;
}

/** The top-level verbs of a <Response>, in order. Throws on something that is not TwiML. */
export function parseTwiml(xml: string): TwimlVerb[] {
  const root = parseXml(xml);
  if (root.name !== 'Response') throw new Error(`not TwiML (root <${root.name}>): ${xml.slice(0, 120)}`);
  const verbs: TwimlVerb[] = [];
  for (const el of root.children) {
    if (!VERBS.has(el.name)) continue;
    const verb: TwimlVerb = { verb: el.name as TwimlVerbName, attrs: el.attrs };
    if (el.name === 'Connect') {
      const stream = el.children.find((c) => c.name === 'Stream');
      if (stream) {
        const parameters: Record<string, string> = {};
        for (const p of stream.children) if (p.name === 'Parameter' && p.attrs['name'] !== undefined) parameters[p.attrs['name']] = p.attrs['value'] ?? '';
        verb.stream = { url: stream.attrs['url'] ?? '', ...(stream.attrs['statusCallback'] ? { statusCallback: stream.attrs['statusCallback'] } : {}), parameters };
      }
    } else if (el.children.length === 0 && el.text.trim() !== '') {
      verb.text = el.text.trim();
    } else if (el.name === 'Dial') {
      // why: <Dial><Number>+972…</Number></Dial> and <Dial>+972…</Dial> name the same target.
      const text = el.children.map((c) => c.text.trim()).join('') || el.text.trim();
      if (text) verb.text = text;
    }
    verbs.push(verb);
  }
  return verbs;
}
