// Reads the TwiML verbs this project answers with, so the simulator can follow a call the way Twilio would.

export type TwimlVerbName = 'Connect' | 'Record' | 'Play' | 'Say' | 'Redirect' | 'Hangup' | 'Dial' | 'Pause';

export interface TwimlVerb {
  verb: TwimlVerbName;
  attrs: Record<string, string>;
  /** Text content (Play/Say/Redirect/Dial). */
  text?: string;
  /** For <Connect>: the <Stream> url and its <Parameter>s. */
  stream?: { url: string; statusCallback?: string; parameters: Record<string, string> };
}

const VERBS = new Set<string>(['Connect', 'Record', 'Play', 'Say', 'Redirect', 'Hangup', 'Dial', 'Pause']);

function attrsOf(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of s.matchAll(/([A-Za-z:]+)="([^"]*)"/g)) out[m[1] as string] = unescape(m[2] as string);
  return out;
}

function unescape(s: string): string {
  return s.replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** The top-level verbs of a <Response>, in order. Throws on something that is not TwiML. */
export function parseTwiml(xml: string): TwimlVerb[] {
  const body = /<Response>([\s\S]*)<\/Response>|<Response\/>/.exec(xml);
  if (!body) throw new Error(`not TwiML: ${xml.slice(0, 120)}`);
  const inner = body[1] ?? '';
  const verbs: TwimlVerb[] = [];
  const re = /<([A-Z][A-Za-z]*)((?:\s+[A-Za-z:]+="[^"]*")*)\s*(\/>|>([\s\S]*?)<\/\1>)/g;
  for (const m of inner.matchAll(re)) {
    const name = m[1] as string;
    if (!VERBS.has(name)) continue;
    const verb: TwimlVerb = { verb: name as TwimlVerbName, attrs: attrsOf(m[2] ?? '') };
    const content = m[4];
    if (name === 'Connect' && content) {
      const stream = /<Stream((?:\s+[A-Za-z:]+="[^"]*")*)\s*(?:\/>|>([\s\S]*?)<\/Stream>)/.exec(content);
      if (stream) {
        const a = attrsOf(stream[1] ?? '');
        const parameters: Record<string, string> = {};
        for (const p of (stream[2] ?? '').matchAll(/<Parameter((?:\s+[A-Za-z:]+="[^"]*")*)\s*\/>/g)) {
          const pa = attrsOf(p[1] ?? '');
          if (pa['name'] !== undefined) parameters[pa['name']] = pa['value'] ?? '';
        }
        verb.stream = { url: a['url'] ?? '', ...(a['statusCallback'] ? { statusCallback: a['statusCallback'] } : {}), parameters };
      }
    } else if (content !== undefined) {
      verb.text = unescape(content.trim());
    }
    verbs.push(verb);
  }
  return verbs;
}
