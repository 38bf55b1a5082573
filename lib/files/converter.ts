import "server-only";
import { execFile, spawn } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { env, type TEnv } from "@/lib/env";

/**
 * PDF renditions of Office documents with LibreOffice, headless, one process per document.
 * See docs/decisions/0012-file-store-uploads.md.
 */

export type TConversion = { state: "CONVERTED"; pdf: Buffer } | { state: "NO_CONVERTER" } | { state: "FAILED"; error: string };

const TIMEOUT_MS = 90_000;

// Macros never run and no link is followed on behalf of a document we did not write.
const PROFILE_SETTINGS = `<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="MacroSecurityLevel" oor:op="fuse"><value>3</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="DisableMacrosExecution" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="BlockUntrustedRefererLinks" oor:op="fuse"><value>true</value></prop></item>
</oor:items>
`;

// The converter sees documents from outside: it gets a plain environment, none of the server's secrets.
const CHILD_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

let found: { settings: TEnv; command: Promise<string | null> } | undefined;

/** The converter's command if one is available (OFFICE_CONVERTER, else soffice/libreoffice on PATH; "off" disables). */
export async function officeConverter(): Promise<string | null> {
  const settings = env();
  if (found?.settings !== settings) found = { settings, command: locate(settings.OFFICE_CONVERTER?.trim()) };
  return found.command;
}

async function locate(configured: string | undefined): Promise<string | null> {
  if (configured === "off") return null;
  for (const name of configured ? [configured] : ["soffice", "libreoffice"]) {
    const command = name.includes("/") ? name : await onPath(name);
    if (command && (await isExecutable(command))) return command;
  }
  return null;
}

/** The shell resolves the name on the server's PATH (this module reads no environment itself). */
function onPath(name: string): Promise<string | null> {
  return new Promise((resolve) => {
    execFile("/bin/sh", ["-c", 'command -v "$1"', "sh", name], { timeout: 5_000 }, (error, stdout) => {
      const resolved = stdout.trim();
      resolve(error || !resolved.startsWith("/") ? null : resolved);
    });
  });
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await fs.access(file, fs.constants.X_OK);
    return (await fs.stat(file)).isFile();
  } catch {
    return false;
  }
}

/** A PDF rendition of an Office document (LibreOffice headless, its own temporary profile dir, a temp work dir removed afterwards, 90 s timeout). */
export async function convertToPdf(bytes: Uint8Array, extension: string, options: { timeoutMs?: number } = {}): Promise<TConversion> {
  const command = await officeConverter();
  if (!command) return { state: "NO_CONVERTER" };
  const ext = extension.replace(/^\./, "").toLowerCase();
  if (!/^[a-z0-9]{1,8}$/.test(ext)) return { state: "FAILED", error: `unusable extension "${extension}"` };

  const work = await fs.mkdtemp(path.join(os.tmpdir(), "chiikilink-convert-"));
  try {
    const profile = path.join(work, "profile");
    const input = path.join(work, "in", `document.${ext}`);
    const outDir = path.join(work, "out");
    await fs.mkdir(path.join(profile, "user"), { recursive: true });
    await fs.mkdir(path.dirname(input));
    await fs.mkdir(outDir);
    await fs.writeFile(path.join(profile, "user", "registrymodifications.xcu"), PROFILE_SETTINGS);
    await fs.writeFile(input, bytes, { mode: 0o600 });

    const run = await runConverter(command, [
      `-env:UserInstallation=${pathToFileURL(profile).href}`,
      "--headless",
      "--invisible",
      "--norestore",
      "--nologo",
      "--nodefault",
      "--nolockcheck",
      "--convert-to",
      "pdf",
      "--outdir",
      outDir,
      input,
    ], work, options.timeoutMs ?? TIMEOUT_MS);
    if (run.error) return { state: "FAILED", error: run.error };

    const pdf = await fs.readFile(path.join(outDir, "document.pdf")).catch(() => null);
    if (!pdf) return { state: "FAILED", error: `no PDF produced${run.output ? `: ${run.output}` : ""}` };
    if (!pdf.subarray(0, 5).equals(Buffer.from("%PDF-"))) return { state: "FAILED", error: "the converter's output is not a PDF" };
    return { state: "CONVERTED", pdf };
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}

/** Runs in its own process group, so a timeout ends soffice.bin too, not only its launcher. */
function runConverter(command: string, args: string[], work: string, timeoutMs: number): Promise<{ error?: string; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: work,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: { PATH: CHILD_PATH, HOME: work, TMPDIR: work, LANG: "C.UTF-8" } as Record<string, string> as NodeJS.ProcessEnv,
    });
    let output = "";
    const collect = (data: Buffer) => {
      // The last lines are the ones that say what went wrong.
      output = (output + data.toString("utf8")).slice(-2_000);
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    let timedOut = false;
    const killGroup = () => {
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      resolve({ error: `cannot start ${command}: ${error.message}`, output });
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      // Nothing of this conversion may outlive it.
      killGroup();
      const tail = output.trim().split("\n").slice(-3).join(" | ");
      if (timedOut) resolve({ error: `timed out after ${timeoutMs / 1000} s`, output: tail });
      else if (code !== 0) resolve({ error: `${path.basename(command)} exited with ${code ?? signal}${tail ? `: ${tail}` : ""}`, output: tail });
      else resolve({ output: tail });
    });
  });
}
