/**
 * Page objects: what a user does on each screen, by the names a user reads (roles and labels), so a
 * test reads as the user's steps and survives changes of layout.
 */
import type { Page } from "playwright-core";
import type { DemoAccount } from "../../src/auth/demo-accounts.ts";
import { codeAt } from "../../src/auth/totp.ts";

const words = {
  es: {
    signIn: "Iniciar sesión",
    username: "Usuario",
    password: "Contraseña",
    signOut: "Cerrar sesión",
    enrol: "Registrar una aplicación de autenticación",
    code: "Código de verificación (6 dígitos)",
    confirm: "Confirmar con el código",
    menu: "Navegación principal",
  },
  en: {
    signIn: "Sign in",
    username: "Username",
    password: "Password",
    signOut: "Sign out",
    enrol: "Register an authenticator app",
    code: "Verification code (6 digits)",
    confirm: "Confirm with the code",
    menu: "Main navigation",
  },
};

export class SignInPage {
  constructor(
    readonly page: Page,
    readonly language: "es" | "en" = "es",
  ) {}

  /** The TOTP secrets enrolled in this run, by username: a later sign-in gives a code of it. */
  static readonly secrets = new Map<string, string>();
  /** The 30-second step of the last code each account gave: the server refuses a code used twice. */
  static readonly lastStep = new Map<string, number>();

  /** A code of the account's TOTP that it has not given yet (waiting for the next step if need be). */
  static async freshCode(username: string, secret: string): Promise<string> {
    const step = () => Math.floor(Date.now() / 30_000);
    if (SignInPage.lastStep.get(username) === step())
      await new Promise((r) => setTimeout(r, (step() + 1) * 30_000 - Date.now() + 250));
    SignInPage.lastStep.set(username, step());
    return codeAt(secret, new Date());
  }

  /** Signs in; a role that requires a second factor enrols an authenticator the first time, then gives its code. */
  async signIn(account: DemoAccount) {
    const w = words[this.language];
    await this.page.getByLabel(w.username).fill(account.username);
    await this.page.getByLabel(new RegExp(`^${w.password}`)).fill(account.password);
    await this.page.getByRole("button", { name: w.signIn }).click();
    const enrol = this.page.getByRole("button", { name: w.enrol });
    const menu = this.page.getByRole("navigation", { name: w.menu });
    const code = this.page.getByLabel(w.code);
    await enrol.or(menu).or(code).first().waitFor();
    if (await code.isVisible()) {
      const secret = SignInPage.secrets.get(account.username);
      if (!secret) throw new Error(`${account.username} has a second factor this run did not enrol`);
      await code.fill(await SignInPage.freshCode(account.username, secret));
      await this.page.getByRole("button", { name: w.signIn }).click();
      await menu.waitFor();
    } else if (await enrol.isVisible()) {
      await enrol.click();
      const secret = (await this.page.getByTestId("totp-secret").textContent())?.trim() ?? "";
      SignInPage.secrets.set(account.username, secret);
      await this.page.getByLabel(w.code).fill(await SignInPage.freshCode(account.username, secret));
      await this.page.getByRole("button", { name: w.confirm }).click();
      await menu.waitFor();
    }
  }
}

export class Frame {
  constructor(
    readonly page: Page,
    readonly language: "es" | "en" = "es",
  ) {}

  /** The screens the menu offers, by their names. */
  async menu(): Promise<string[]> {
    const nav = this.page.getByRole("navigation", { name: words[this.language].menu });
    await nav.waitFor();
    return (await nav.getByRole("link").allTextContents()).map((s) => s.trim());
  }

  async go(screen: string) {
    await this.page
      .getByRole("navigation", { name: words[this.language].menu })
      .getByRole("link", { name: screen })
      .click();
  }

  async signOut() {
    await this.page.getByRole("button", { name: words[this.language].signOut }).click();
    await this.page.getByRole("button", { name: words[this.language].signIn }).waitFor();
  }
}

export class DashboardPage {
  constructor(readonly page: Page) {}

  async total(): Promise<string> {
    const t = this.page.getByTestId("total-sent");
    await t.waitFor();
    return (await t.textContent())?.trim() ?? "";
  }
}

export class PublicPage {
  constructor(readonly page: Page) {}

  async total(): Promise<string> {
    const t = this.page.getByTestId("public-total");
    await t.waitFor();
    return (await t.textContent())?.trim() ?? "";
  }

  async statement(language: "es" | "en"): Promise<string> {
    return this.page.getByTestId(`statement-${language}`).inputValue();
  }
}
