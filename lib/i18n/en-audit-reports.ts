import type { jaAuditReports } from "@/lib/i18n/ja-audit-reports";

export const enAuditReports: Record<keyof typeof jaAuditReports, string> = {
  "menu.adminAudit": "Audit",
};
