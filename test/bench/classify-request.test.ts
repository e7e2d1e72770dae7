import { describe, expect, it } from "vitest";
import { classifyRequest } from "../../scripts/bench/admin-api/classify-request.js";

describe("classifyRequest (admin-api bench)", () => {
  it("replaces every id with * and keeps collections, custom verbs and the method", () => {
    expect(
      classifyRequest("cloudrun", "GET", "/v2/projects/p/locations/us-central1/services/chat:getIamPolicy"),
    ).toEqual({
      api: "run",
      kind: "getIamPolicy",
      route: "GET /v2/projects/*/locations/*/services/*:getIamPolicy",
    });
    expect(classifyRequest("hosting", "POST", "/v1beta1/sites/chat-staging/versions:clone?x=1")).toEqual({
      api: "hosting",
      kind: "clone",
      route: "POST /v1beta1/sites/*/versions:clone",
    });
  });

  it("tells get from list, create from a verb, and an operation read from a get", () => {
    const kind = (method: string, url: string) => classifyRequest("cloudrun", method, url).kind;
    expect(kind("GET", "/v2/projects/p/locations/l/services/s")).toBe("get");
    expect(kind("GET", "/v2/projects/p/locations/l/services/s/revisions?pageSize=100")).toBe("list");
    expect(kind("POST", "/v2/projects/p/locations/l/services?serviceId=s")).toBe("create");
    expect(kind("PATCH", "/v2/projects/p/locations/l/services/s")).toBe("patch");
    expect(kind("GET", "/v2/projects/p/locations/l/operations/op-1")).toBe("poll");
    expect(kind("GET", "/v2/projects/p/locations/l/operations")).toBe("list");
  });

  it("names the API: Secret Manager and IAM Credentials share the Cloud Run endpoint", () => {
    const api = (url: string) => classifyRequest("cloudrun", "POST", url).api;
    expect(api("/v1/projects/p/secrets/s:addVersion")).toBe("secretmanager");
    expect(api("/v1/projects/-/serviceAccounts/default:generateIdToken")).toBe("iamcredentials");
    expect(api("/v2/projects/p/locations/l/services")).toBe("run");
    expect(classifyRequest("cloudrun", "GET", "/healthz").api).toBe("other");
  });
});
