import "server-only";
import { notFound } from "next/navigation";
import { AppError } from "@/lib/errors";

/** For pages: a read the viewer may not make, or of something that does not exist, shows the 404 page. */
export async function orNotFound<T>(read: Promise<T> | (() => T | Promise<T>)): Promise<T> {
  try {
    return await (typeof read === "function" ? read() : read);
  } catch (e) {
    if (e instanceof AppError && (e.code === "NOT_FOUND" || e.code === "FORBIDDEN")) notFound();
    throw e;
  }
}
