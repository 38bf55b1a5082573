"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { useI18n } from "@/components/i18n-provider";
import { Alert, Button, FieldErrors, FormResultAlert, Select } from "@/components/ui/form";
import type { Qualification } from "@/lib/enums";
import type { TActionResult } from "@/lib/errors";
import { formatDateTime } from "@/lib/i18n";
import { addParticipantAction, removeParticipantAction } from "@/lib/notes/actions";
import type { listParticipants, TParticipant } from "@/lib/notes/queries";

type TCandidate = Awaited<ReturnType<typeof listParticipants>>["candidates"][number];

type TDone = { key: string; vars?: Record<string, string> };

/**
 * 参加者 (seed 000): who hears of new posts for this patient. The viewer joins or leaves; anyone who
 * sees the patient adds colleagues who also see it, or removes someone, as on a shared care-team list.
 */
export function ParticipantsPanel({
  patientId,
  viewerId,
  participants,
  candidates,
  isParticipant,
}: {
  patientId: string;
  viewerId: string;
  participants: TParticipant[];
  candidates: TCandidate[];
  isParticipant: boolean;
}) {
  const { t, locale } = useI18n();
  const router = useRouter();
  const [pending, setPending] = useState<string | null>(null);
  const [result, setResult] = useState<TActionResult<unknown> | null>(null);
  const [done, setDone] = useState<TDone | null>(null);
  const [chosen, setChosen] = useState("");

  async function run(what: string, call: () => Promise<TActionResult<unknown>>, onDone: TDone) {
    setPending(what);
    setDone(null);
    try {
      const r = await call();
      setResult(r);
      if (r.ok) {
        setDone(onDone);
        router.refresh();
      }
      return r.ok;
    } catch {
      setResult({ ok: false, code: "INTERNAL", fieldErrors: {} });
      return false;
    } finally {
      setPending(null);
    }
  }

  const fieldErrors = result && !result.ok ? result.fieldErrors : {};
  const qualification = (q: Qualification) => t(`enum.Qualification.${q}`);
  const chosenName = candidates.find((c) => c.userId === chosen)?.name ?? "";

  return (
    <div className="space-y-5">
      <FormResultAlert result={result} />
      {done && <Alert kind="success">{t(done.key, done.vars)}</Alert>}

      <div className="flex flex-wrap items-center gap-3 rounded border border-slate-200 bg-slate-50 px-3 py-2" data-testid="participation">
        <p className="text-sm">{isParticipant ? t("participants.youAre") : t("participants.youAreNot")}</p>
        <Button
          type="button"
          variant={isParticipant ? "secondary" : "primary"}
          className="ml-auto"
          disabled={pending !== null}
          onClick={() =>
            void run(
              "self",
              () => (isParticipant ? removeParticipantAction(patientId, { userId: viewerId }) : addParticipantAction(patientId, { userId: viewerId })),
              { key: isParticipant ? "participants.left" : "participants.joined" },
            )
          }
        >
          {pending === "self" ? t("common.saving") : isParticipant ? t("participants.leave") : t("participants.join")}
        </Button>
      </div>

      <div>
        <h3 className="mb-2 font-semibold">{t("participants.list", { count: participants.length })}</h3>
        {participants.length === 0 ? (
          <p className="text-sm text-slate-500">{t("participants.none")}</p>
        ) : (
          <ul className="divide-y divide-slate-200 rounded border border-slate-200" data-testid="participants-list">
            {participants.map((p) => (
              <li key={p.userId} className="flex flex-wrap items-center gap-x-4 gap-y-1 px-3 py-2" data-testid="participant" data-name={p.name}>
                <div className="min-w-0 flex-1">
                  <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
                    <span className="font-medium">{p.name}</span>
                    <span className="text-sm text-slate-600">{qualification(p.qualification)}</span>
                    {p.isMe && <span className="rounded bg-teal-100 px-1.5 py-0.5 text-xs text-teal-900">{t("participants.me")}</span>}
                    {!p.hasEmail && (
                      <span className="rounded border border-amber-300 bg-amber-50 px-1.5 py-0.5 text-xs text-amber-900" title={t("participants.noEmailHint")} data-testid="no-email">
                        {t("participants.noEmail")}
                        <span className="sr-only">: {t("participants.noEmailHint")}</span>
                      </span>
                    )}
                  </div>
                  <div className="text-sm text-slate-600">
                    {p.facilityName}
                    <span className="ml-3 text-xs whitespace-nowrap text-slate-500">{t("participants.since", { date: formatDateTime(p.addedAt, locale) })}</span>
                  </div>
                </div>
                {!p.isMe && (
                  <Button
                    type="button"
                    variant="secondary"
                    className="ml-auto"
                    aria-label={t("participants.removeLabel", { name: p.name })}
                    disabled={pending !== null}
                    onClick={() => void run(`remove:${p.userId}`, () => removeParticipantAction(patientId, { userId: p.userId }), { key: "participants.removed", vars: { name: p.name } })}
                  >
                    {pending === `remove:${p.userId}` ? t("common.saving") : t("participants.remove")}
                  </Button>
                )}
              </li>
            ))}
          </ul>
        )}
      </div>

      <form
        className="rounded border border-slate-200 p-3"
        data-testid="add-participant"
        onSubmit={async (e) => {
          e.preventDefault();
          const ok = await run("add", () => addParticipantAction(patientId, { userId: chosen }), { key: "participants.added", vars: { name: chosenName } });
          if (ok) setChosen("");
        }}
      >
        <h3 className="mb-2 font-semibold">{t("participants.addTitle")}</h3>
        {candidates.length === 0 ? (
          <p className="text-sm text-slate-500">{t("participants.noCandidates")}</p>
        ) : (
          <>
            <label htmlFor="userId" className="mb-1 block text-sm font-medium text-slate-700">
              {t("participants.candidate")}
            </label>
            <div className="flex flex-col gap-2 sm:flex-row">
              <div className="min-w-0 flex-1">
                <Select name="userId" errors={fieldErrors} value={chosen} onChange={(e) => setChosen(e.target.value)}>
                  <option value="">{t("participants.choose")}</option>
                  {candidates.map((c) => (
                    <option key={c.userId} value={c.userId}>
                      {c.name}（{c.facilityName}・{qualification(c.qualification)}）
                    </option>
                  ))}
                </Select>
              </div>
              <Button type="submit" disabled={pending !== null}>
                {pending === "add" ? t("common.saving") : t("participants.add")}
              </Button>
            </div>
            <FieldErrors name="userId" errors={fieldErrors} />
            <p className="mt-1 text-xs text-slate-500">{t("participants.candidateHint")}</p>
          </>
        )}
      </form>
    </div>
  );
}
