"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { useI18n } from "@/components/i18n-provider";

const MIN_SCALE = 0.25;
const MAX_SCALE = 10;
const STEP = 1.25;

type TView = { scale: number; x: number; y: number };
const FIT: TView = { scale: 1, x: 0, y: 0 };

const clampScale = (s: number) => Math.min(MAX_SCALE, Math.max(MIN_SCALE, s));

/** zoom to `scale` keeping the stage point (px, py; relative to the stage centre) where it is */
function zoomAt(v: TView, scale: number, px = 0, py = 0): TView {
  const s = clampScale(scale);
  const k = s / v.scale;
  return { scale: s, x: px - (px - v.x) * k, y: py - (py - v.y) * k };
}

const downloadUrl = (url: string) => `${url}${url.includes("?") ? "&" : "?"}download=1`;

const toolButton =
  "inline-flex min-h-11 min-w-11 items-center justify-center rounded border border-slate-500 bg-slate-800 px-3 text-base font-medium text-white hover:bg-slate-700 focus:outline-none focus-visible:ring-2 focus-visible:ring-white";

/**
 * An image of a content item: a thumbnail button that opens a modal viewer with zoom (buttons,
 * mouse wheel, pinch), drag to pan (pointer events, so touch works), keyboard (+ − 0, Esc closes)
 * and a download link. Images come from the access-controlled file route, never next/image.
 */
export function ImageViewer({ url, fileName, thumbClassName }: { url: string; fileName: string; thumbClassName?: string }) {
  const { t } = useI18n();
  const dialogRef = useRef<HTMLDialogElement>(null);
  const thumbRef = useRef<HTMLButtonElement>(null);
  const stageRef = useRef<HTMLDivElement>(null);
  const closeRef = useRef<HTMLButtonElement>(null);
  const [open, setOpen] = useState(false);
  const [view, setView] = useState<TView>(FIT);
  /** active pointers on the stage (one: pan; two: pinch) */
  const pointers = useRef(new Map<number, { x: number; y: number }>());
  const pinch = useRef<{ distance: number; scale: number } | null>(null);

  const openViewer = () => {
    setView(FIT);
    setOpen(true);
    dialogRef.current?.showModal();
    closeRef.current?.focus();
  };
  const closeViewer = () => dialogRef.current?.close();

  /** a stage point relative to its centre */
  const stagePoint = useCallback((clientX: number, clientY: number) => {
    const r = stageRef.current?.getBoundingClientRect();
    if (!r) return { x: 0, y: 0 };
    return { x: clientX - (r.left + r.width / 2), y: clientY - (r.top + r.height / 2) };
  }, []);

  // Wheel zoom needs a non-passive listener to keep the page from scrolling.
  useEffect(() => {
    const stage = stageRef.current;
    if (!stage) return;
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const p = stagePoint(e.clientX, e.clientY);
      const factor = Math.exp(-Math.max(-100, Math.min(100, e.deltaY)) / 300);
      setView((v) => zoomAt(v, v.scale * factor, p.x, p.y));
    };
    stage.addEventListener("wheel", onWheel, { passive: false });
    return () => stage.removeEventListener("wheel", onWheel);
  }, [stagePoint]);

  const onKeyDown = (e: React.KeyboardEvent) => {
    if (e.key === "+" || e.key === "=" || e.key === "Add") setView((v) => zoomAt(v, v.scale * STEP));
    else if (e.key === "-" || e.key === "_" || e.key === "Subtract") setView((v) => zoomAt(v, v.scale / STEP));
    else if (e.key === "0") setView(FIT);
    else if (e.key === "Tab") {
      // keep focus among the viewer's controls
      const focusable = [...(dialogRef.current?.querySelectorAll<HTMLElement>("button, a[href]") ?? [])];
      const firstEl = focusable[0];
      const lastEl = focusable[focusable.length - 1];
      if (!firstEl || !lastEl) return;
      if (e.shiftKey && document.activeElement === firstEl) {
        e.preventDefault();
        lastEl.focus();
      } else if (!e.shiftKey && document.activeElement === lastEl) {
        e.preventDefault();
        firstEl.focus();
      }
      return;
    } else return;
    e.preventDefault();
  };

  const onPointerDown = (e: React.PointerEvent<HTMLDivElement>) => {
    if (e.pointerType === "mouse" && e.button !== 0) return;
    e.currentTarget.setPointerCapture(e.pointerId);
    pointers.current.set(e.pointerId, { x: e.clientX, y: e.clientY });
    if (pointers.current.size === 2) {
      const [a, b] = [...pointers.current.values()] as [{ x: number; y: number }, { x: number; y: number }];
      pinch.current = { distance: Math.hypot(a.x - b.x, a.y - b.y) || 1, scale: view.scale };
    }
  };
  const onPointerMove = (e: React.PointerEvent<HTMLDivElement>) => {
    const prev = pointers.current.get(e.pointerId);
    if (!prev) return;
    pointers.current.set(e.pointerId, { x: e.clientX, y: e.clientY });
    if (pointers.current.size >= 2 && pinch.current) {
      const [a, b] = [...pointers.current.values()] as [{ x: number; y: number }, { x: number; y: number }];
      const mid = stagePoint((a.x + b.x) / 2, (a.y + b.y) / 2);
      const target = pinch.current.scale * (Math.hypot(a.x - b.x, a.y - b.y) / pinch.current.distance);
      setView((v) => zoomAt(v, target, mid.x, mid.y));
      return;
    }
    const dx = e.clientX - prev.x;
    const dy = e.clientY - prev.y;
    setView((v) => ({ ...v, x: v.x + dx, y: v.y + dy }));
  };
  const onPointerEnd = (e: React.PointerEvent<HTMLDivElement>) => {
    pointers.current.delete(e.pointerId);
    if (pointers.current.size < 2) pinch.current = null;
  };

  return (
    <>
      <button
        ref={thumbRef}
        type="button"
        onClick={openViewer}
        className="inline-flex min-h-11 min-w-11 flex-col items-center gap-1 rounded p-0.5 text-xs text-teal-800 hover:bg-slate-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-teal-600"
        aria-label={t("content.viewer.open", { name: fileName })}
        aria-haspopup="dialog"
      >
        {/* eslint-disable-next-line @next/next/no-img-element */}
        <img src={url} alt="" loading="lazy" className={thumbClassName ?? "h-20 w-20 rounded border border-slate-300 bg-slate-100 object-cover"} />
        <span className="max-w-24 truncate">{fileName}</span>
      </button>
      <dialog
        ref={dialogRef}
        aria-label={fileName}
        onKeyDown={onKeyDown}
        onClose={() => {
          setOpen(false);
          pointers.current.clear();
          pinch.current = null;
          thumbRef.current?.focus();
        }}
        className="m-0 h-dvh max-h-none w-screen max-w-none bg-slate-950 p-0 text-white backdrop:bg-black/80"
      >
        <div className="flex h-full flex-col">
          <div className="flex flex-wrap items-center gap-2 border-b border-slate-700 px-3 py-2" role="toolbar" aria-label={t("content.viewer.tools")}>
            <button type="button" className={toolButton} onClick={() => setView((v) => zoomAt(v, v.scale * STEP))} aria-label={t("content.viewer.zoomIn")} title={`${t("content.viewer.zoomIn")} (+)`}>
              +
            </button>
            <button type="button" className={toolButton} onClick={() => setView((v) => zoomAt(v, v.scale / STEP))} aria-label={t("content.viewer.zoomOut")} title={`${t("content.viewer.zoomOut")} (-)`}>
              −
            </button>
            <button type="button" className={toolButton} onClick={() => setView(FIT)} title={`${t("content.viewer.fit")} (0)`}>
              {t("content.viewer.fit")}
            </button>
            <span className="min-w-14 text-center text-sm tabular-nums text-slate-300" aria-live="polite">
              {Math.round(view.scale * 100)}%
            </span>
            <a href={downloadUrl(url)} download={fileName} className={toolButton}>
              {t("content.viewer.download")}
            </a>
            <button ref={closeRef} type="button" className={`${toolButton} ml-auto`} onClick={closeViewer} title={`${t("content.viewer.close")} (Esc)`}>
              {t("content.viewer.close")}
            </button>
          </div>
          <div
            ref={stageRef}
            className="relative flex min-h-0 flex-1 cursor-grab touch-none items-center justify-center overflow-hidden active:cursor-grabbing"
            onPointerDown={onPointerDown}
            onPointerMove={onPointerMove}
            onPointerUp={onPointerEnd}
            onPointerCancel={onPointerEnd}
            onDoubleClick={(e) => {
              const p = stagePoint(e.clientX, e.clientY);
              setView((v) => (v.scale > 1 ? FIT : zoomAt(v, 2, p.x, p.y)));
            }}
          >
            {open && (
              // eslint-disable-next-line @next/next/no-img-element
              <img
                src={url}
                alt={fileName}
                draggable={false}
                className="h-full w-full select-none object-contain"
                style={{ transform: `translate(${view.x}px, ${view.y}px) scale(${view.scale})`, transformOrigin: "center center" }}
              />
            )}
          </div>
          <p className="border-t border-slate-700 px-3 py-2 text-sm break-all text-slate-200">
            {fileName}
            <span className="ml-3 text-xs text-slate-400">{t("content.viewer.hint")}</span>
          </p>
        </div>
      </dialog>
    </>
  );
}
