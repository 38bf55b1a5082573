"use client";

import { useSyncExternalStore } from "react";

const noSubscription = () => () => {};

/**
 * False in the server's HTML, true once React runs in the browser: a form whose submit needs
 * JavaScript (file uploads, comments) keeps its button disabled until then, so an early tap never
 * turns into a plain GET of the page with the text in the URL.
 */
export const useHydrated = () => useSyncExternalStore(noSubscription, () => true, () => false);
