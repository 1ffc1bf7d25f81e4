import type { RouteOptions } from 'fastify';

type HookName = 'onRequest' | 'onSend';
type RouteHook<N extends HookName> = Extract<NonNullable<RouteOptions[N]>, readonly unknown[]>[number];

/** Adds a hook to one route (at `onRoute`), after the hooks it has: only that route's requests run it. */
export function appendRouteHook<N extends HookName>(route: RouteOptions, name: N, hook: RouteHook<N>): void {
  (route as Record<HookName, unknown>)[name] = [...[route[name] ?? []].flat(), hook];
}
