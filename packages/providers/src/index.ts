// Public surface of @tva/providers: the contracts plus every adapter and fake.
export * from './contracts';
export * from './openai';
export * from './fakes/openai';
export * from './sentence-splitter';
export * from './azure';
export * from './fakes/azure-speech';
export * from './offline';
export * from './create-providers';
export * from './abortable';
export * from './turn-policy';
