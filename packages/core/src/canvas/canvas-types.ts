/**
 * Type-level checks of the canvas: which partial arguments a signature may take (`add.s(2)`), what remains
 * to be passed (`[y: number]`), and whether a step of a chain or a chord body accepts what runs before it.
 * None of this exists at run time; the worker checks the real call when it runs.
 */
import type { Canvas } from './signature.js';

/** Every prefix of the parameter list `A` (`[]`, `[x]`, `[x, y]`); optional and rest parameters as they are. */
export type Prefix<A extends unknown[]> = A extends [infer H, ...infer T] ? [] | [H, ...Prefix<T>] : A;

/** The parameters of `A` left after the partial arguments `P`. */
export type Drop<A extends unknown[], P extends unknown[]> = P extends [unknown, ...infer PT]
  ? A extends [unknown, ...infer AT]
    ? Drop<AT, PT>
    : A extends [unknown?, ...infer AT]
      ? Drop<AT, PT>
      : A
  : A;

/** Any signature. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnySignature = Canvas<any, any, boolean, any>;

/** The value a signature's task (or canvas) gives. */
export type ResultOf<S> = S extends Canvas<infer _P, infer R, boolean, infer _H> ? R : never;

/** The parameters a signature still takes. */
export type ParamsOf<S> = S extends Canvas<infer P, infer _R, boolean, infer _H> ? P : never;

/**
 * Whether `S` can be called with `V` in front of its remaining parameters: always for an immutable signature
 * (it ignores what it is given); for a mutable one, its first remaining parameter must accept `V` (a
 * signature with no parameter left cannot take it).
 */
export type Accepts<S, V> =
  S extends Canvas<infer P, infer _R, infer I, infer _H>
    ? true extends I
      ? true
      : P extends []
        ? false
        : P extends [infer F, ...unknown[]]
          ? [V] extends [F]
            ? true
            : false
          : P extends (infer E)[]
            ? [V] extends [E]
              ? true
              : false
            : true
    : true;

/** What a misfitting chain step or chord body is checked against: names what it would receive. */
export interface DoesNotAccept<V> {
  /** The previous step's result type this step's first remaining parameter does not accept. */
  readonly 'this step cannot take the previous result': V;
}

/** The steps of a chain, each checked against the result of the one before. */
export type CheckedSteps<S extends readonly unknown[], Prev = unknown, First extends boolean = true> = S extends readonly [infer H, ...infer T]
  ? [First extends true ? H : Accepts<H, Prev> extends true ? H : DoesNotAccept<Prev>, ...CheckedSteps<T, ResultOf<H>, false>]
  : [];

/** The last element of a tuple. */
export type Last<S extends readonly unknown[]> = S extends readonly [...unknown[], infer L] ? L : S extends readonly (infer E)[] ? E : never;

/** The results of a list of signatures, in order. */
export type ResultsOf<S extends readonly unknown[]> = { -readonly [K in keyof S]: ResultOf<S[K]> };
