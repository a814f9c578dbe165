import { DisposedError, InternalError } from '@kdap/errors';

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
 * The handle may be attached after construction (lazily constructed datasets).
 */
export abstract class NativeResource<H> implements Disposable {
  #handle: H | null = null;
  #disposed = false;
  readonly #what: string;
  readonly #free: (h: H) => void;

  protected constructor(what: string, free: (h: H) => void, handle?: H) {
    this.#what = what;
    this.#free = free;
    if (handle !== undefined) this.attachHandle(handle);
  }

  /** Takes ownership of a native handle (once). */
  protected attachHandle(handle: H): void {
    if (this.#disposed) {
      this.#free(handle);
      throw new DisposedError(this.#what);
    }
    if (this.#handle !== null) throw new InternalError(`${this.#what} already has a native handle`);
    this.#handle = handle;
    const free = this.#free;
    registry.register(this, () => free(handle), this);
  }

  /** Whether a native handle is attached (and not disposed). */
  protected get hasHandle(): boolean {
    return this.#handle !== null;
  }

  /** The live handle; throws if disposed. */
  protected get handle(): H {
    if (this.#disposed) throw new DisposedError(this.#what);
    if (this.#handle === null) throw new InternalError(`${this.#what} has no native handle yet`);
    return this.#handle;
  }

  /** Throws DisposedError if disposed. */
  protected assertLive(): void {
    if (this.#disposed) throw new DisposedError(this.#what);
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  /** Frees the native object. Safe to call more than once. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.onDispose();
    const h = this.#handle;
    this.#handle = null;
    if (h !== null) {
      registry.unregister(this);
      this.#free(h);
    }
  }

  /** Subclasses release what they own (child handles) before the handle itself is freed. */
  protected onDispose(): void {}

  [Symbol.dispose](): void {
    this.dispose();
  }
}
