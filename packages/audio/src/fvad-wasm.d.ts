// Types for @echogarden/fvad-wasm (the package ships none): an Emscripten module factory for libfvad.

declare module '@echogarden/fvad-wasm' {
  export interface FvadModule {
    /** View of the WASM heap; re-read it after allocating, since heap growth replaces it. */
    HEAP16: Int16Array;
    _malloc(bytes: number): number;
    _free(ptr: number): void;
    _fvad_new(): number;
    _fvad_free(inst: number): void;
    _fvad_reset(inst: number): void;
    /** 0 on success, -1 for an invalid mode. */
    _fvad_set_mode(inst: number, mode: number): number;
    /** 0 on success, -1 for a rate other than 8000/16000/32000/48000. */
    _fvad_set_sample_rate(inst: number, rate: number): number;
    /** 1 speech, 0 non-speech, -1 invalid frame length. */
    _fvad_process(inst: number, frame: number, length: number): number;
  }
  const fvad: (moduleArg?: Record<string, unknown>) => Promise<FvadModule>;
  export default fvad;
}
