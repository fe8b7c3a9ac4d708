// Reassembles streamed tool-call deltas (id and name first, arguments in pieces) into whole ToolCalls.

import type { ToolCall } from '../contracts';

interface ToolCallDelta {
  index: number;
  id?: string;
  function?: { name?: string; arguments?: string };
}

interface PartialCall {
  id: string;
  name: string;
  args: string;
}

/** Parses the model's argument text; invalid JSON keeps the raw text under `_raw` rather than losing the call. */
export function parseToolArguments(text: string): Record<string, unknown> {
  if (text.trim().length === 0) return {};
  try {
    const value: unknown = JSON.parse(text);
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
    return { _raw: text };
  } catch {
    return { _raw: text };
  }
}

export class ToolCallAssembler {
  private readonly parts = new Map<number, PartialCall>();

  push(deltas: readonly ToolCallDelta[] | null | undefined): void {
    for (const d of deltas ?? []) {
      let part = this.parts.get(d.index);
      if (!part) {
        part = { id: '', name: '', args: '' };
        this.parts.set(d.index, part);
      }
      if (d.id) part.id = d.id;
      // Why only the first name: some OpenAI-compatible servers repeat id and name in every delta.
      if (d.function?.name && part.name.length === 0) part.name = d.function.name;
      if (d.function?.arguments) part.args += d.function.arguments;
    }
  }

  get size(): number {
    return this.parts.size;
  }

  /** The complete calls in index order; clears the assembler. */
  take(): ToolCall[] {
    const calls = [...this.parts.entries()]
      .sort(([a], [b]) => a - b)
      .filter(([, p]) => p.name.length > 0)
      .map(([index, p]) => ({ id: p.id || `call_${index}`, name: p.name, arguments: parseToolArguments(p.args) }));
    this.parts.clear();
    return calls;
  }
}
