import Link from "next/link";
import { ManageShell, PasskeySetup, RegenerateRecoveryCodes, RemovePasskey, RemoveTotp, TotpSetup } from "@/components/auth/second-factor/manage";
import { RecoveryCodesLow } from "@/components/auth/second-factor/recovery-codes";
import { Alert } from "@/components/ui/form";
import { getMySecondFactor } from "@/lib/auth/second-factor/queries";
import { getRelyingParty } from "@/lib/auth/second-factor/request";
import { requireViewer } from "@/lib/auth/viewer";
import { formatDateTime } from "@/lib/i18n";
import { getLocale, getT } from "@/lib/i18n/server";

const card = "rounded-lg bg-white p-5 shadow";

/** 利用者情報 → 二要素認証: the viewer's authenticator app, passkeys and recovery codes. */
export default async function ProfileSecondFactorPage({ searchParams }: { searchParams: Promise<{ recoveryLeft?: string }> }) {
  const viewer = await requireViewer();
  const [{ recoveryLeft }, t, locale, mine, rp] = await Promise.all([searchParams, getT(), getLocale(), getMySecondFactor(viewer), getRelyingParty()]);
  const hasFactor = !!mine.totpEnabledAt || mine.passkeys.length > 0;
  const canEnrol = mine.requirement !== "OFF";
  const usedRecovery = recoveryLeft !== undefined && /^\d+$/.test(recoveryLeft);
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-bold">{t("sf.profile.title")}</h1>
        <Link href="/profile" className="inline-flex min-h-11 items-center text-teal-700 underline">
          {t("sf.profile.back")}
        </Link>
      </div>
      <p className="text-sm text-slate-600">{t("sf.profile.lead")}</p>
      {usedRecovery && <Alert kind="warning">{t("sf.profile.recoveryUsed", { count: Number(recoveryLeft) })}</Alert>}
      <ManageShell>
        <div className="space-y-6">
          <section className={card}>
            <h2 className="mb-2 text-lg font-semibold">{t("sf.profile.requirement")}</h2>
            <p className="text-sm">
              <strong data-testid="sf-requirement">{t(`enum.SecondFactorRequirement.${mine.requirement}`)}</strong>
              <span className="ml-2 text-slate-600">{t(`sf.requirementHelp.${mine.requirement}`)}</span>
            </p>
            {!canEnrol && <p className="mt-2 text-sm text-slate-600">{t("sf.profile.offNote")}</p>}
          </section>

          <section className={card} data-testid="sf-totp">
            <h2 className="mb-1 text-lg font-semibold">{t("sf.totp.title")}</h2>
            <p className="mb-3 text-sm text-slate-600">{t("sf.totp.intro")}</p>
            <p className="mb-3 text-sm" data-testid="sf-totp-status">
              {mine.totpEnabledAt ? t("sf.totp.on", { date: formatDateTime(mine.totpEnabledAt, locale) }) : t("sf.totp.off")}
            </p>
            {mine.totpEnabledAt ? <RemoveTotp /> : canEnrol && <TotpSetup />}
          </section>

          <section className={card} data-testid="sf-passkeys">
            <h2 className="mb-1 text-lg font-semibold">{t("sf.passkey.title")}</h2>
            <p className="mb-3 text-sm text-slate-600">{rp ? t("sf.passkey.intro", { host: rp.rpId }) : t("sf.passkey.unavailableHere")}</p>
            {mine.passkeys.length === 0 ? (
              <p className="mb-4 text-sm text-slate-500">{t("sf.passkey.none")}</p>
            ) : (
              <ul className="mb-4 divide-y divide-slate-200 rounded border border-slate-200">
                {mine.passkeys.map((p) => (
                  <li key={p.id} className="flex flex-wrap items-start justify-between gap-3 p-3" data-testid="passkey-row">
                    <div className="min-w-0 text-sm">
                      <div className="font-medium break-words">{p.name}</div>
                      <div className="text-xs text-slate-500">
                        {t("sf.passkey.host")}: {p.rpId} ・ {t("sf.passkey.created")}: {formatDateTime(p.createdAt, locale)} ・ {t("sf.passkey.lastUsed")}:{" "}
                        {formatDateTime(p.lastUsedAt, locale) || t("common.none")}
                      </div>
                    </div>
                    <RemovePasskey id={p.id} />
                  </li>
                ))}
              </ul>
            )}
            {rp && canEnrol && <PasskeySetup />}
          </section>

          <section className={card} data-testid="sf-recovery">
            <h2 className="mb-1 text-lg font-semibold">{t("sf.recovery.title")}</h2>
            <p className="mb-3 text-sm text-slate-600">{t("sf.recovery.intro")}</p>
            {hasFactor ? (
              <>
                <p className="mb-3 text-sm" data-testid="sf-recovery-left">
                  {t("sf.recovery.left", { left: mine.recoveryCodesLeft, total: mine.recoveryCodesTotal })}
                </p>
                <RecoveryCodesLow left={mine.recoveryCodesLeft} />
                <RegenerateRecoveryCodes />
              </>
            ) : (
              <p className="text-sm text-slate-500">{t("sf.recovery.none")}</p>
            )}
          </section>
        </div>
      </ManageShell>
    </div>
  );
}
