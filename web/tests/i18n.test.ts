import { describe, expect, it } from "vitest";
import { localeFor, pickLanguage, translate } from "../src/i18n";
import { en, ko } from "../src/i18n/messages";

describe("message catalogue", () => {
  // The type checker holds the keys of both languages equal (ko is a Record of en's keys);
  // what it cannot see is a text left empty.
  it("has no empty text in either language", () => {
    for (const [key, text] of [...Object.entries(en), ...Object.entries(ko)]) expect(text.trim(), key).not.toBe("");
  });
  it("keeps every placeholder in both languages", () => {
    const holes = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(en) as (keyof typeof en)[]) expect(holes(ko[key]), key).toEqual(holes(en[key]));
  });
  it("fills placeholders and leaves unknown ones visible", () => {
    expect(translate("en", "endpoints.count", { shown: 3, total: 1200 })).toBe("3 of 1200 endpoints");
    expect(translate("ko", "endpoints.count", { shown: 3, total: 1200 })).toBe("엔드포인트 1200개 중 3개");
    expect(translate("en", "builder.start")).toBe("Start test ({n} scenarios)");
  });
});

describe("language choice", () => {
  it("follows a stored choice, else the browser, else English", () => {
    expect(pickLanguage("ko", ["en-US"])).toBe("ko");
    expect(pickLanguage(null, ["ko-KR", "en"])).toBe("ko");
    expect(pickLanguage(null, ["fr-FR", "en-GB"])).toBe("en");
    expect(pickLanguage("xx", ["fr-FR"])).toBe("en");
  });
  it("formats with the browser's own variant of the language", () => {
    expect(localeFor("en", ["en-GB", "ko"])).toBe("en-GB");
    expect(localeFor("ko", ["en-GB"])).toBe("ko-KR");
  });
});
