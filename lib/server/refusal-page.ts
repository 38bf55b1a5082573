import type { TTerminalCheck } from "@/lib/pki/queries";

type TReason = Extract<TTerminalCheck, { ok: false }>["reason"];

const REASONS: Record<TReason, { ja: string; en: string }> = {
  missing: {
    ja: "この端末には、ネットワークの端末証明書（クライアント証明書）が入っていないか、ブラウザが証明書を送信していません。",
    en: "This terminal has no client certificate of the network, or the browser did not present it.",
  },
  foreign: {
    ja: "提示された証明書は、このネットワークの認証局が発行したものではありません。",
    en: "The certificate presented was not issued by this network's certificate authority.",
  },
  expired: { ja: "端末証明書の有効期限が切れています。", en: "The terminal certificate has expired." },
  "not-yet-valid": { ja: "端末証明書の有効期間がまだ始まっていません。端末の時刻もご確認ください。", en: "The terminal certificate is not valid yet. Check the terminal's clock." },
  malformed: { ja: "端末証明書の形式が正しくありません。", en: "The terminal certificate is malformed." },
  unknown: { ja: "この端末証明書は登録されていません。", en: "This terminal certificate is not registered." },
  revoked: {
    ja: "この端末証明書は失効しています（端末の廃棄・紛失などによる）。",
    en: "This terminal certificate has been revoked (for example after the terminal was disposed of or lost).",
  },
  "facility-inactive": { ja: "この端末の施設は利用を停止しています。", en: "This terminal's facility has been suspended." },
};

const escape = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The plain page a refused request gets: no app code runs, nothing of the app is rendered. Its one
 * <style> carries the response's CSP nonce (server.ts sends the page policy with it).
 */
export function refusalPage(reason: TReason, requestId: string, nonce: string): string {
  const r = REASONS[reason];
  return `<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>端末証明書が確認できません</title>
<style nonce="${escape(nonce)}">body{font-family:"Noto Sans CJK JP","Hiragino Sans",Meiryo,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.7;color:#1f2937}
h1{font-size:1.4rem;color:#b91c1c}.en{color:#6b7280;font-size:.9rem}code{background:#f3f4f6;padding:0 .3rem}</style></head>
<body><h1>端末証明書が確認できないため、接続できません</h1>
<p>${escape(r.ja)}</p>
<p>このネットワークは、事務局が発行した端末証明書をインストールした端末からのみ利用できます。
証明書のインストール方法や、端末の追加・再発行は、地域医療連携ネットワークの事務局にお問い合わせください。</p>
<p class="en">Access refused: ${escape(r.en)} This network can only be used from terminals with a certificate issued by its secretariat.</p>
<p class="en">理由コード / reason: <code>${escape(reason)}</code>　受付番号 / request: <code>${escape(requestId)}</code></p>
</body></html>`;
}
