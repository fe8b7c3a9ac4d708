// Every shutdown and hand-off timing that must nest, in one place: the apps and ecosystem.config.cjs read them here.

export const TIMINGS = {
  /** Media: live calls get this long to finish their turn before being handed to RECORD mode (1001). */
  mediaDrainMs: 5000,
  /** Media → webhooks: one internal notice (outcome, conversation) gives up after this. */
  noticeTimeoutMs: 1000,
  /** Media: the whole shutdown (drain, then the last notices) is forced to end by then. */
  mediaGraceMs: 7000,
  /** pm2 SIGKILLs the media worker after this. */
  mediaKillTimeoutMs: 8000,
  /** Webhooks: stream_ended waits this long for the media worker's account of the stream. */
  outcomeWaitMs: 1500,
  /** Webhooks: in-flight requests (a RECORD turn's answer included) get this long on shutdown. */
  webhooksGraceMs: 4000,
  webhooksKillTimeoutMs: 5000,
  /** Router: keeps piping live streams while media drains them, then destroys what is left. */
  routerGraceMs: 8500,
  routerKillTimeoutMs: 9500,
} as const;

export type Timings = { readonly [K in keyof typeof TIMINGS]: number };

/** What does not nest (empty when all is well); a test and the apps' start-up check this. */
export function timingProblems(t: Timings = TIMINGS): string[] {
  const problems: string[] = [];
  const before = (a: keyof Timings, b: keyof Timings, why: string) => {
    if (!(t[a] < t[b])) problems.push(`${a} (${t[a]} ms) must be below ${b} (${t[b]} ms): ${why}`);
  };
  before('noticeTimeoutMs', 'outcomeWaitMs', 'stream_ended must outwait a notice that is still on its way');
  if (!(t.mediaDrainMs + t.noticeTimeoutMs < t.mediaGraceMs)) problems.push(`mediaDrainMs + noticeTimeoutMs (${t.mediaDrainMs + t.noticeTimeoutMs} ms) must be below mediaGraceMs (${t.mediaGraceMs} ms): the last outcome notices go out after the drain`);
  before('mediaGraceMs', 'mediaKillTimeoutMs', 'the media worker exits before pm2 kills it');
  before('webhooksGraceMs', 'webhooksKillTimeoutMs', 'webhooks exits before pm2 kills it');
  before('mediaGraceMs', 'routerGraceMs', 'the router keeps piping the streams media is draining');
  before('routerGraceMs', 'routerKillTimeoutMs', 'the router exits before pm2 kills it');
  return problems;
}
