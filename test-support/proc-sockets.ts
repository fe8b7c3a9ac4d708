// Test helper (Linux /proc): which TCP sockets a process holds to a given remote port — e.g. the router's
// worker-side sockets, to await "the router is proxying this upgrade" or "the router closed its side".
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** Inodes of the TCP sockets `pid` has open whose remote port is `remotePort` (IPv4 and IPv6). */
export function socketsTo(pid: number, remotePort: number): Set<string> {
  const mine = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m?.[1]) mine.add(m[1]);
    } catch {
      /* closed meanwhile */
    }
  }
  const found = new Set<string>();
  for (const table of ['tcp', 'tcp6']) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/net/${table}`, 'utf8');
    } catch {
      continue;
    }
    // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode …
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      const port = f[2]?.split(':')[1];
      const inode = f[9];
      if (port !== undefined && inode !== undefined && parseInt(port, 16) === remotePort && mine.has(inode)) found.add(inode);
    }
  }
  return found;
}
