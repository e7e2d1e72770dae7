import type { protos } from "@google-cloud/run";

// Who may call a service: Cloud Run checks `run.routes.invoke` unless `allUsers` holds
// `roles/run.invoker` (or the service has invokerIamDisabled). Pure helpers over the IAM policy.

export type IPolicy = protos.google.iam.v1.IPolicy;

export const INVOKER_ROLE = "roles/run.invoker";
export const PUBLIC_MEMBER = "allUsers";

/** `public`: anyone on the internet may invoke it; `private`: only callers with an identity token. */
export type InvokerAccess = "public" | "private";

export function accessOf(policy: IPolicy): InvokerAccess {
  const open = (policy.bindings ?? []).some(
    (b) => b.role === INVOKER_ROLE && !b.condition && (b.members ?? []).includes(PUBLIC_MEMBER),
  );
  return open ? "public" : "private";
}

/** The policy with `allUsers` added to (or removed from) the invoker role; other bindings kept. */
export function withPublicInvoker(policy: IPolicy, allow: boolean): IPolicy {
  const bindings = (policy.bindings ?? []).map((b) => ({ ...b, members: [...(b.members ?? [])] }));
  const invoker = bindings.find((b) => b.role === INVOKER_ROLE && !b.condition);
  if (allow) {
    if (invoker) {
      if (!invoker.members.includes(PUBLIC_MEMBER)) invoker.members.push(PUBLIC_MEMBER);
    } else {
      bindings.push({ role: INVOKER_ROLE, members: [PUBLIC_MEMBER] });
    }
  } else {
    for (const b of bindings)
      if (b.role === INVOKER_ROLE) b.members = b.members.filter((m) => m !== PUBLIC_MEMBER);
  }
  return { ...policy, bindings: bindings.filter((b) => b.members.length > 0) };
}
