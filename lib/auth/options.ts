import "server-only";
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { env } from "@/lib/env";
import { endSession, signIn, SignInError } from "@/lib/auth/mutations";
import { ZSignIn } from "@/lib/auth/schema";
import { decodeTerminalHeader, TERMINAL_HEADER } from "@/lib/auth/terminal";

declare module "next-auth" {
  interface User {
    sessionId: string;
  }
}
declare module "next-auth/jwt" {
  interface JWT {
    sid?: string;
  }
}

function authSecret(): string {
  const secret = env().AUTH_SECRET;
  if (!secret) throw new Error("AUTH_SECRET is not set: server.ts prepares it before the app starts");
  return secret;
}

/**
 * next-auth 4 with the credentials provider (ADR 0003). The JWT only carries the id of a
 * database session; everything that decides access (idle time, terminal, retirement, password
 * state) is read from the database on each request by lib/auth/viewer.ts.
 */
export function authOptions(): NextAuthOptions {
  return {
    secret: authSecret(),
    session: { strategy: "jwt", maxAge: 12 * 60 * 60 },
    pages: { signIn: "/login", error: "/login" },
    providers: [
      CredentialsProvider({
        name: "ChiikiLink",
        credentials: { loginId: { type: "text" }, password: { type: "password" } },
        async authorize(credentials, req) {
          const parsed = ZSignIn.safeParse(credentials ?? {});
          if (!parsed.success) throw new Error("INVALID");
          const headerValue = req.headers?.[TERMINAL_HEADER] as string | undefined;
          const terminal = decodeTerminalHeader(headerValue, authSecret());
          try {
            const { userId, sessionId } = await signIn(parsed.data, terminal, terminal?.remoteAddress ?? null);
            return { id: userId, sessionId };
          } catch (err) {
            if (err instanceof SignInError) throw new Error(err.code);
            throw err;
          }
        },
      }),
    ],
    callbacks: {
      jwt({ token, user }) {
        if (user) token.sid = user.sessionId;
        return token;
      },
      session({ session }) {
        // The browser learns nothing from the session endpoint; pages ask the server.
        return { expires: session.expires };
      },
    },
    events: {
      async signOut({ token }) {
        if (token?.sid) await endSession(token.sid, "SIGN_OUT");
      },
    },
  };
}
