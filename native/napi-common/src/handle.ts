import { DisposedError } from './errors';

/** An opaque native handle of one kind; the brand keeps kinds apart at compile time. */
export type Handle<Kind extends string> = { readonly __handle: Kind };

/** Frees forgotten handles when their owner is garbage-collected; explicit dispose is the rule. */
const registry = new FinalizationRegistry<() => void>((free) => {
  try {
    free();
  } catch {
    // Finalizers must not throw; the native side already tolerates double frees.
  }
});

/**
 * Base of every class that owns a native handle: `dispose()` is idempotent and backs
 * `[Symbol.dispose]`; any later use throws `DisposedError` ("Booster has been disposed").
 */
export abstract class NativeResource<H> implements Disposable {
  #handle: H | null;
  readonly #what: string;
  readonly #free: (h: H) => void;

  protected constructor(what: string, handle: H, free: (h: H) => void) {
    this.#handle = handle;
    this.#what = what;
    this.#free = free;
    registry.register(this, () => free(handle), this);
  }

  /** The live handle; throws if disposed. */
  protected get handle(): H {
    if (this.#handle === null) throw new DisposedError(this.#what);
    return this.#handle;
  }

  get disposed(): boolean {
    return this.#handle === null;
  }

  /** Frees the native object. Safe to call more than once. */
  dispose(): void {
    const h = this.#handle;
    if (h === null) return;
    this.#handle = null;
    registry.unregister(this);
    this.onDispose();
    this.#free(h);
  }

  /** Subclasses release what they own (child handles) before the handle itself is freed. */
  protected onDispose(): void {}

  [Symbol.dispose](): void {
    this.dispose();
  }
}
