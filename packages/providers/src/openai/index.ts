// The OpenAI-compatible LLM adapter and its tool definitions.
export { OpenAiLlmProvider, type OpenAiLlmOptions } from './openai-llm';
export { LLM_TOOL_NAMES, llmToolDefinitions, type LlmToolName } from './llm-tools';
export { toOpenAiMessages } from './chat-message-mapping';
export { ToolCallAssembler, parseToolArguments } from './tool-call-assembler';
export { mapOpenAiError, OPENAI_LLM } from './openai-error-mapping';
