/**
 * A jQuery-style deferred: `done`, `fail`, `always`, `state`, `resolve`, `reject`, and `then`/`catch`
 * so page code can `await` a bus command. Callbacks added after settling run at once. An error thrown
 * by one callback is logged and does not stop the others.
 */
export type DeferredState = 'pending' | 'resolved' | 'rejected';
type Fn = (value: any) => unknown;
type Fns = (Fn | Fn[] | undefined)[];

export interface Deferred<T = any> extends PromiseLike<T> {
  /** Returns nothing (not the deferred): `(v) => d.resolve(v)` inside a promise chain must not adopt a thenable. */
  resolve(value?: T): void;
  reject(reason?: unknown): void;
  done(...fns: Fns): Deferred<T>;
  fail(...fns: Fns): Deferred<T>;
  always(...fns: Fns): Deferred<T>;
  state(): DeferredState;
  promise(): Deferred<T>;
  then<A = T, B = never>(ok?: ((v: T) => A | PromiseLike<A>) | null, ko?: ((r: any) => B | PromiseLike<B>) | null): Promise<A | B>;
  catch<B = never>(ko?: ((r: any) => B | PromiseLike<B>) | null): Promise<T | B>;
}

export function safeCall(fn: Fn, arg: unknown): void {
  try {
    fn(arg);
  } catch (err) {
    console.error('[CXBus]', err);
  }
}

export function deferred<T = any>(): Deferred<T> {
  let st: DeferredState = 'pending';
  let value: unknown;
  let promise: Promise<T> | undefined;
  // kind: 0 done, 1 fail, 2 always
  const queue: [number, Fn][] = [];
  const run = ([kind, fn]: [number, Fn]) => {
    if (kind === 2 || kind === (st === 'resolved' ? 0 : 1)) safeCall(fn, value);
  };
  const add =
    (kind: number) =>
    (...fns: Fns) => {
      for (const fn of fns.flat()) if (typeof fn === 'function') st === 'pending' ? queue.push([kind, fn]) : run([kind, fn]);
      return d;
    };
  const settle = (to: DeferredState) => (v?: unknown) => {
    if (st === 'pending') {
      st = to;
      value = v;
      queue.splice(0).forEach(run);
    }
  };
  const d: Deferred<T> = {
    resolve: settle('resolved'),
    reject: settle('rejected'),
    done: add(0),
    fail: add(1),
    always: add(2),
    state: () => st,
    promise: () => d,
    then(ok, ko) {
      promise ??= new Promise<T>((res, rej) => void d.done(res).fail(rej));
      return promise.then(ok, ko);
    },
    catch: (ko) => d.then(undefined, ko),
  };
  return d;
}

export function resolved<T>(v?: T): Deferred<T> {
  const d = deferred<T>();
  d.resolve(v);
  return d;
}
export function rejected(r?: unknown): Deferred<any> {
  const d = deferred();
  d.reject(r);
  return d;
}
