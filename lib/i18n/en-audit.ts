import type { jaAudit } from "@/lib/i18n/ja-audit";

export const enAudit: Record<keyof typeof jaAudit, string> = {
  "menu.adminAccessLogs": "Access logs",
};
