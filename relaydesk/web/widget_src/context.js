// What the parts share: the loader's hand-over (`page`: opts, base, host, root, emit,
// components, badge, visitor), the config as last answered, and two flags.
export let page = null;
export const config = {};
// quiet: the history is being replayed (no events, no badge); open: the panel is shown.
export const flags = { quiet: true, open: false };

export function adopt(ctx) {
  page = ctx;
  flags.open = ctx.opts.mode === 'inline';
}
