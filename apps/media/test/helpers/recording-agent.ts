// A test agent that records what reached it, hangs up on key 9, and can be made busy (not idle) to test draining.
import type { Agent, AgentContext, StartInfo } from '../../src/agents/agent';

export class RecordingAgent implements Agent {
  ctx: AgentContext | undefined;
  info: StartInfo | undefined;
  readonly digits: string[] = [];
  mediaFrames = 0;
  stopped = false;
  /** While true the agent reports a turn in progress (drain waits for it). */
  busy = false;

  start(ctx: AgentContext, info: StartInfo): void {
    this.ctx = ctx;
    this.info = info;
  }

  media(): void {
    this.mediaFrames += 1;
  }

  dtmf(digit: string): void {
    this.digits.push(digit);
    if (digit === '9') this.ctx?.endCall({ kind: 'hangup' });
  }

  mark(): void {}

  stop(): void {
    this.stopped = true;
  }

  idle(): boolean {
    return !this.busy;
  }
}

/** createAgent for the harness, keeping every agent it made. */
export function recordingAgents(): { create: () => RecordingAgent; made: RecordingAgent[] } {
  const made: RecordingAgent[] = [];
  return {
    made,
    create: () => {
      const a = new RecordingAgent();
      made.push(a);
      return a;
    },
  };
}
