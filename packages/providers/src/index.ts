// Public surface of @tva/providers: the contracts plus every adapter and fake.
export * from './contracts';
