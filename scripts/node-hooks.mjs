// Loaded with `node --import ./scripts/node-hooks.mjs`: lets server.ts and the CLI scripts import
// data-layer modules that start with `import "server-only"` (that package throws outside React
// Server Components by design; Next's own bundle resolves it to an empty module, and so do we).
import { register } from "node:module";

register(
  "data:text/javascript," +
    encodeURIComponent(`export async function resolve(specifier, context, next) {
      if (specifier === "server-only") return { url: "data:text/javascript,export{}", shortCircuit: true };
      return next(specifier, context);
    }`),
  import.meta.url,
);
