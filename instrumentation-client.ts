import { config } from "zod/v4/core";

// Runs in the browser before any of the app's modules. The pages' Content-Security-Policy has no
// 'unsafe-eval', so zod must neither compile its object parsers with `new Function` nor probe
// whether it may (the probe alone is reported as a violation). The server keeps the compiled ones.
config({ jitless: true });
