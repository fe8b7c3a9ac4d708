// One turn policy for the streaming agent and RECORD mode: tool calls, the DTMF turn text, the re-ask rule.
export { DTMF_KEYS, UNRECOGNIZED_SPEECH_TURN, dtmfKeysOf, dtmfTurnText } from './dtmf-turn';
export { TURN_ERRORS, type TurnErrorCode } from './turn-errors';
export { type CallTools, type ToolVerdict, callTools, judgeToolCall, offeredToolNames, toolResultText } from './call-tools';
export { MAX_REASKS, type LlmAttempt, type ReplyDecision, type ReplySoFar, attemptMessages, decideReply } from './reply-policy';
export { type AnsweredAttempt, type LlmReply, type LlmReplyOptions, runLlmReply, spokenText } from './run-llm-reply';
export { logProviderFailure, providerFailure } from './provider-failure';
