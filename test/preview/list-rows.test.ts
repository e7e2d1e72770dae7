import { describe, expect, it } from "vitest";
import { previewRows } from "../../deploy/preview/list.js";
import { ANNOTATION, LABEL, MANAGED_BY } from "../../deploy/preview/model.js";
import { previewService } from "./fake-platform.js";

const now = new Date();
const withWeb = previewService("login", "feature/login", now, {});
withWeb.annotations[ANNOTATION.webUrl] = "http://127.0.0.1:40001";
const channel = (id: string) => ({
  id,
  url: `http://127.0.0.1:4${id.length}000`,
  labels: { [MANAGED_BY.key]: MANAGED_BY.value, [LABEL.preview]: id },
  createTime: now.toISOString(),
});

describe("previewRows", () => {
  it("drops a recorded web URL once its channel is gone, keeps it when hosting is not listed", () => {
    expect(previewRows([withWeb], [], now)[0]!.webUrl).toBeUndefined();
    expect(previewRows([withWeb], undefined, now)[0]!.webUrl).toBe("http://127.0.0.1:40001");
    expect(previewRows([withWeb], [channel("login")], now)[0]!.webUrl).toBe("http://127.0.0.1:45000");
  });

  it("shows a channel whose service is gone without inventing a version or gate", () => {
    const [row] = previewRows([], [channel("orphan")], now);
    expect(row).toMatchObject({ id: "orphan", gate: "unknown" });
    expect(row!.version).toBeUndefined();
    expect(row!.service).toBeUndefined();
  });
});
