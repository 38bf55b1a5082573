"use client";

import { useEffect, useId, useRef, useState } from "react";
import { useI18n } from "@/components/i18n-provider";
import { inputClass } from "@/components/ui/form";
import { searchAddresseesAction } from "@/lib/securemail/actions";
import type { TAddressOption } from "@/lib/securemail/dto";
import type { TAddressee } from "@/lib/securemail/schema";

/** A chosen addressee as a chip: what is sent, and what the user reads. */
export type TChosen = { addressee: TAddressee; label: string };

export const addresseeKey = (a: TAddressee) => (a.kind === "user" ? `user:${a.userId}` : a.kind === "role" ? `role:${a.facilityId}:${a.role}` : `list:${a.listId}`);

function chosenOf(o: TAddressOption): TChosen {
  if (o.kind === "user") return { addressee: { kind: "user", userId: o.userId }, label: o.label };
  if (o.kind === "role") return { addressee: { kind: "role", facilityId: o.facilityId, role: o.role }, label: o.label };
  return { addressee: { kind: "list", listId: o.listId }, label: o.label };
}

const kindTone: Record<TAddressee["kind"], string> = {
  user: "border-slate-300 bg-white",
  role: "border-sky-300 bg-sky-50",
  list: "border-violet-300 bg-violet-50",
};

/**
 * 宛先: type a name, kana or facility and pick a person, a facility's role (「飯田中央病院 連携担当」)
 * or a mailing list; each choice is a chip that can be taken off again. `usersOnly` for a list's
 * members, which are people.
 */
export function AddressPicker({
  id,
  value,
  onChange,
  usersOnly = false,
  disabled = false,
  invalid = false,
  describedBy,
}: {
  id: string;
  value: TChosen[];
  onChange: (next: TChosen[]) => void;
  usersOnly?: boolean;
  disabled?: boolean;
  invalid?: boolean;
  describedBy?: string;
}) {
  const { t } = useI18n();
  const listId = useId();
  const [term, setTerm] = useState("");
  const [options, setOptions] = useState<TAddressOption[]>([]);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const [searching, setSearching] = useState(false);
  const [failed, setFailed] = useState(false);
  const latest = useRef(0);
  const chosenKeys = new Set(value.map((c) => addresseeKey(c.addressee)));
  const shown = options.filter((o) => (!usersOnly || o.kind === "user") && !chosenKeys.has(addresseeKey(chosenOf(o).addressee)));

  useEffect(() => {
    const q = term.trim();
    if (!q) return;
    const ticket = ++latest.current;
    const timer = setTimeout(async () => {
      setSearching(true);
      try {
        const r = await searchAddresseesAction({ term: q });
        if (ticket !== latest.current) return;
        setFailed(!r.ok);
        setOptions(r.ok ? r.data : []);
        setActive(0);
        setOpen(true);
      } catch {
        if (ticket === latest.current) setFailed(true);
      } finally {
        if (ticket === latest.current) setSearching(false);
      }
    }, 250);
    return () => clearTimeout(timer);
  }, [term]);

  function pick(o: TAddressOption) {
    onChange([...value, chosenOf(o)]);
    setTerm("");
    setOptions([]);
    setOpen(false);
  }

  function onKeyDown(e: React.KeyboardEvent<HTMLInputElement>) {
    if (e.key === "ArrowDown" && shown.length > 0) {
      e.preventDefault();
      setOpen(true);
      setActive((a) => (a + 1) % shown.length);
    } else if (e.key === "ArrowUp" && shown.length > 0) {
      e.preventDefault();
      setActive((a) => (a - 1 + shown.length) % shown.length);
    } else if (e.key === "Enter") {
      // Enter picks the highlighted entry and never submits the form from here.
      e.preventDefault();
      const o = shown[active];
      if (open && o) pick(o);
    } else if (e.key === "Escape") {
      setOpen(false);
    } else if (e.key === "Backspace" && term === "" && value.length > 0) {
      onChange(value.slice(0, -1));
    }
  }

  const isOpen = open && term.trim() !== "";
  return (
    <div className="space-y-2" data-testid="address-picker">
      {value.length > 0 && (
        <ul className="flex flex-wrap gap-2" aria-label={t("mail.to.chosen")} data-testid="address-chips">
          {value.map((c) => (
            <li
              key={addresseeKey(c.addressee)}
              className={`inline-flex min-h-11 max-w-full items-center rounded-full border pl-3 text-sm ${kindTone[c.addressee.kind]}`}
              data-testid="address-chip"
              data-kind={c.addressee.kind}
              data-label={c.label}
            >
              <span className="min-w-0 break-words">
                {c.addressee.kind === "list" && <span className="mr-1 text-xs text-violet-800">{t("mail.to.kind.list")}</span>}
                {c.label}
              </span>
              <button
                type="button"
                className="inline-flex h-11 w-11 shrink-0 items-center justify-center rounded-full text-lg text-slate-600 hover:bg-black/5 hover:text-red-700"
                aria-label={t("mail.to.remove", { label: c.label })}
                disabled={disabled}
                onClick={() => onChange(value.filter((v) => addresseeKey(v.addressee) !== addresseeKey(c.addressee)))}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="relative">
        <input
          id={id}
          type="search"
          role="combobox"
          aria-expanded={isOpen}
          aria-controls={listId}
          aria-autocomplete="list"
          aria-activedescendant={isOpen && shown[active] ? `${listId}-${active}` : undefined}
          aria-invalid={invalid}
          aria-describedby={describedBy}
          autoComplete="off"
          value={term}
          disabled={disabled}
          placeholder={usersOnly ? t("mail.to.placeholderUsers") : t("mail.to.placeholder")}
          onChange={(e) => {
            setTerm(e.currentTarget.value);
            if (!e.currentTarget.value.trim()) setOpen(false);
          }}
          onKeyDown={onKeyDown}
          onFocus={() => setOpen(true)}
          onBlur={() => setOpen(false)}
          className={inputClass}
        />
        {isOpen && (
          <ul
            id={listId}
            role="listbox"
            aria-label={t("mail.to.results")}
            className="absolute z-10 mt-1 max-h-72 w-full overflow-y-auto rounded border border-slate-300 bg-white shadow-lg"
            data-testid="address-options"
          >
            {searching && shown.length === 0 && <li className="px-3 py-2 text-sm text-slate-500">{t("common.loading")}</li>}
            {!searching && failed && <li className="px-3 py-2 text-sm text-red-700">{t("common.error")}</li>}
            {!searching && !failed && shown.length === 0 && <li className="px-3 py-2 text-sm text-slate-500">{t("mail.to.noMatch")}</li>}
            {shown.map((o, i) => (
              <li
                key={addresseeKey(chosenOf(o).addressee)}
                id={`${listId}-${i}`}
                role="option"
                aria-selected={i === active}
                // mousedown, not click: the input's blur would close the list before a click lands
                onMouseDown={(e) => {
                  e.preventDefault();
                  pick(o);
                }}
                onMouseEnter={() => setActive(i)}
                className={`flex min-h-11 cursor-pointer flex-wrap items-center gap-x-2 px-3 py-2 text-sm ${i === active ? "bg-teal-50" : ""}`}
                data-kind={o.kind}
              >
                <span className={`rounded px-1.5 py-0.5 text-xs ${o.kind === "user" ? "bg-slate-100 text-slate-700" : o.kind === "role" ? "bg-sky-100 text-sky-900" : "bg-violet-100 text-violet-900"}`}>
                  {t(`mail.to.kind.${o.kind}`)}
                </span>
                <span className="font-medium">{o.label}</span>
                {o.kind === "list" && <span className="text-xs text-slate-600">{t("mail.to.members", { count: o.members })}</span>}
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}
