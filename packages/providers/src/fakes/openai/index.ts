// The fake OpenAI chat-completions server for tests and local runs.
export { startFakeOpenAI } from './fake-openai-server';
export type {
  FakeOpenAI,
  FakeOpenAIOptions,
  FakeOpenAIRequest,
  FakeReply,
  FakeReplyFunction,
  FakeSplit,
  FakeToolCall,
} from './fake-openai-types';
