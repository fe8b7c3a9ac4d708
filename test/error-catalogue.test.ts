// Every error code in the sources is in a catalogue, every catalogue code is in the README's error table, and log events come from EVENTS (pure: reads files, starts nothing).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import t from 'tap';
import ts from 'typescript';
import type { ErrorCatalogue } from '@tva/errors';
import { AUDIO_ERRORS } from '../packages/audio/src/audio-error';
import { WAV_ERRORS } from '../packages/audio/src/wav-error';
import { SIMULATOR_ERRORS } from '../packages/call-simulator/src/simulator-error';
import { CONFIG_ERRORS } from '../packages/config/src/config-error';
import { CONFIG_VARS } from '../packages/config/src/config-vars';
import { EVENTS } from '../packages/logging/src/events';
import { AGENT_SCRIPT_ERRORS } from '../packages/providers/src/offline/agent-script-loader';
import { PROVIDER_ERRORS } from '../packages/providers/src/provider-error';
import { TURN_ERRORS } from '../packages/providers/src/turn-policy/turn-errors';
import { SECURITY_ERRORS } from '../packages/security/src/security-errors';
import { PROTOCOL_ERRORS } from '../packages/twilio-media-stream/src/protocol-error';
import { CLI_ERRORS } from '../apps/cli/src/cli-errors';
import { MEDIA_ERRORS, WS_ERRORS } from '../apps/media/src/media-errors';
import { ROUTER_ERRORS } from '../apps/router/src/router-errors';
import { RECORD_ERRORS } from '../apps/webhooks/src/record/record-errors';
import { RECORDS_ERRORS } from '../packages/records/src/records-errors';
import { WEBHOOK_ERRORS } from '../apps/webhooks/src/webhook-errors';

const ROOT = path.resolve(__dirname, '..');

/** Every catalogue, named for the failure messages. */
const CATALOGUES: Record<string, ErrorCatalogue> = {
  ROUTER_ERRORS,
  WEBHOOK_ERRORS,
  RECORD_ERRORS,
  RECORDS_ERRORS,
  MEDIA_ERRORS,
  WS_ERRORS,
  PROTOCOL_ERRORS,
  SECURITY_ERRORS,
  PROVIDER_ERRORS,
  AGENT_SCRIPT_ERRORS,
  TURN_ERRORS,
  CONFIG_ERRORS,
  AUDIO_ERRORS,
  WAV_ERRORS,
  SIMULATOR_ERRORS,
  CLI_ERRORS,
};

const ALL = new Map<string, { catalogue: string; status?: number; closeCode?: number }>();
for (const [name, catalogue] of Object.entries(CATALOGUES)) {
  for (const [code, spec] of Object.entries(catalogue)) {
    if (!ALL.has(code)) ALL.set(code, { catalogue: name, ...(spec.status !== undefined ? { status: spec.status } : {}), ...(spec.closeCode !== undefined ? { closeCode: spec.closeCode } : {}) });
  }
}

/** Other libraries' codes we only match on (to map them to ours); never a `code` we log or answer with. */
const FOREIGN = new Set(['FST_ERR_BAD_URL', 'FST_ERR_CTP_BODY_TOO_LARGE', 'FST_ERR_CTP_INVALID_CONTENT_LENGTH', 'FST_ERR_CTP_INVALID_MEDIA_TYPE', 'FST_ERR_CTP_INVALID_TYPE', 'FST_ERR_NOT_FOUND']);

/** A code anywhere in a string (e.g. `SIM_ERR_DEADLINE: …`): WH_ERR_BAD_FIELD, TMS_ERR_…, WS_ERR_PONG_TIMEOUT… */
const ERR_CODE = /\b[A-Z][A-Z0-9]*_ERR_[A-Z0-9_]*[A-Z0-9]\b/g;
/** Codes of the families without _ERR_ in their name, when a whole literal is one (CALL_TOKEN_SECRET is a variable, PROVIDER_ERROR an event: see below). */
const FAMILY_CODE = /^(?:CALL_TOKEN|PROVIDER|FORWARDED|SCRIPT)_[A-Z0-9_]+$/;
const NOT_CODES = new Set<string>([...Object.values(EVENTS), ...CONFIG_VARS.map((v) => v.name)]);

const isDir = (p: string): boolean => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};

function sourceFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      if (isDir(full)) walk(full);
      else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(full);
    }
  };
  for (const group of ['apps', 'packages']) {
    for (const pkg of readdirSync(path.join(ROOT, group))) {
      const src = path.join(ROOT, group, pkg, 'src');
      if (isDir(src)) walk(src);
    }
  }
  return out.sort();
}

interface Literal {
  file: string;
  line: number;
  text: string;
  node: ts.Node;
}

const PARSED = sourceFiles().map((file) => ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true));

function literals(): Literal[] {
  const out: Literal[] = [];
  for (const sf of PARSED) {
    const visit = (node: ts.Node): void => {
      if (ts.isStringLiteralLike(node) || ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) {
        out.push({ file: path.relative(ROOT, sf.fileName), line: sf.getLineAndCharacterOfPosition(node.getStart()).line + 1, text: node.text, node });
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return out;
}

/** `x.startsWith('WH_ERR_BODY')`: a prefix of codes, not a code. */
function isPrefixTest(lit: Literal): boolean {
  const call = lit.node.parent;
  return ts.isCallExpression(call) && ts.isPropertyAccessExpression(call.expression) && call.expression.name.text === 'startsWith';
}

t.test('catalogues: every entry has a message, and no code is in two catalogues', async (t) => {
  const seen = new Map<string, string>();
  for (const [name, catalogue] of Object.entries(CATALOGUES)) {
    for (const [code, spec] of Object.entries(catalogue)) {
      t.ok(typeof spec.message === 'string' && spec.message.length > 0, `${name}.${code} has a message`);
      if (seen.has(code)) t.fail(`${code} is in ${seen.get(code)} and ${name}`);
      seen.set(code, name);
    }
  }
});

t.test('every error code in apps/*/src and packages/*/src is in a catalogue', async (t) => {
  const lits = literals();
  t.ok(lits.length > 1000, `scanned ${PARSED.length} files, ${lits.length} string literals`);
  const missing: string[] = [];
  let found = 0;
  for (const lit of lits) {
    const codes = new Set(lit.text.match(ERR_CODE) ?? []);
    if (FAMILY_CODE.test(lit.text) && !NOT_CODES.has(lit.text)) codes.add(lit.text);
    for (const code of codes) {
      found += 1;
      if (ALL.has(code) || FOREIGN.has(code)) continue;
      if (isPrefixTest(lit) && code === lit.text && [...ALL.keys()].some((c) => c.startsWith(code))) continue;
      missing.push(`${code} (${lit.file}:${lit.line})`);
    }
  }
  t.ok(found > 100, `${found} code literals found`);
  t.same(missing, [], 'codes not in any catalogue');
});

/** The rows of README.md's error table (the section headed "Error codes"), by code. */
function readmeRows(): Map<string, string> {
  const lines = readFileSync(path.join(ROOT, 'README.md'), 'utf8').split('\n');
  const start = lines.findIndex((l) => /^#+ Error codes\s*$/.test(l));
  const rows = new Map<string, string>();
  if (start < 0) return rows;
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('#')) break;
    const m = /^\| `([A-Z][A-Z0-9_]+)` \|/.exec(line);
    if (m) rows.set(m[1] as string, line);
  }
  return rows;
}

t.test("README.md's error table has one row per catalogue code, with its answer", async (t) => {
  const rows = readmeRows();
  t.ok(rows.size > 0, 'README.md has a section headed "Error codes" with a table');
  const missing = [...ALL.keys()].filter((code) => !rows.has(code));
  t.same(missing, [], 'catalogue codes missing from the README error table');
  const unknown = [...rows.keys()].filter((code) => !ALL.has(code));
  t.same(unknown, [], 'README error table rows for codes no catalogue has');
  const wrong: string[] = [];
  for (const [code, spec] of ALL) {
    const row = rows.get(code);
    if (!row) continue;
    const answer = (row.split('|')[3] ?? '').trim();
    for (const n of [spec.status, spec.closeCode]) if (n !== undefined && n > 0 && !answer.includes(String(n))) wrong.push(`${code}: answer "${answer}" lacks ${n}`);
  }
  t.same(wrong, [], 'answer cells that do not show the catalogue\'s status or close code');
});

t.test('log events come from EVENTS: no `event:` property holds an uppercase string literal', async (t) => {
  const raw: string[] = [];
  for (const sf of PARSED) {
    const file = path.relative(ROOT, sf.fileName);
    // the router is being migrated by its owner; fakes and the protocol's wire messages use Twilio's lowercase names
    if (file.startsWith(`apps${path.sep}router${path.sep}`) || file.includes(`${path.sep}fakes${path.sep}`)) continue;
    const visit = (node: ts.Node): void => {
      if (ts.isPropertyAssignment(node) && ts.isIdentifier(node.name) && node.name.text === 'event' && ts.isStringLiteralLike(node.initializer) && /^[A-Z][A-Za-z0-9_]*$/.test(node.initializer.text)) {
        raw.push(`${node.initializer.text} (${file}:${sf.getLineAndCharacterOfPosition(node.getStart()).line + 1})`);
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  t.same(raw, [], 'raw event names: use EVENTS.X (packages/logging/src/events.ts)');
});
