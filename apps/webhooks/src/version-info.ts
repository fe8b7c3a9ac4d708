// What GET /version shows: deployment id, package version, git sha when known, start time — never a secret.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface VersionInfo {
  deployId: string;
  version: string;
  gitSha: string | null;
  startedAt: string;
  node: string;
}

function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

function readGitSha(): string | null {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: __dirname, stdio: ['ignore', 'pipe', 'ignore'], timeout: 2000 }).toString().trim() || null;
  } catch {
    return null;
  }
}

export function versionInfo(deployId: string, gitSha: string | undefined): VersionInfo {
  return { deployId, version: readVersion(), gitSha: gitSha ?? readGitSha(), startedAt: new Date().toISOString(), node: process.version };
}
