import { z } from "zod";
import { MailState } from "@/generated/prisma/enums";
import { lenient, zPage } from "@/lib/fields";

/** The outbox screen's URL: a state to show (none: all) and the page; anything else falls back to the default. */
export const ZOutboxFilter = z.object({
  state: lenient(z.enum(Object.values(MailState))),
  page: zPage.catch(1),
});
export type TOutboxFilter = z.infer<typeof ZOutboxFilter>;
