// Parses TwiML with a conforming XML parser (saxes), so tests catch what string matching cannot: control characters, bad nesting.
import type { Test } from 'tap';
import { SaxesParser } from 'saxes';

/** The first well-formedness error of `xml` (with line:column), or undefined when it is well-formed XML. */
export function xmlProblem(xml: string): string | undefined {
  let problem: string | undefined;
  const parser = new SaxesParser({ xmlns: false });
  parser.on('error', (err) => {
    problem ??= err.message;
  });
  try {
    parser.write(xml).close();
  } catch (err) {
    problem ??= (err as Error).message;
  }
  return problem;
}

/** The root element's name, or undefined when the document is not well-formed. */
export function xmlRoot(xml: string): string | undefined {
  if (xmlProblem(xml) !== undefined) return undefined;
  let root: string | undefined;
  const parser = new SaxesParser({ xmlns: false });
  parser.on('opentag', (tag) => {
    root ??= tag.name;
  });
  parser.write(xml).close();
  return root;
}

/** Asserts that a webhook answered TwiML that a real XML parser accepts, with <Response> as its root. */
export function assertTwiml(t: Test, body: string, what = 'TwiML'): void {
  t.equal(xmlProblem(body), undefined, `${what} is well-formed XML`);
  t.equal(xmlRoot(body), 'Response', `${what} has <Response> as its root`);
}
