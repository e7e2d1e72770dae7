import { readStateFile, writePrivateFile } from "@echogate/common/state-file";
import { ApiError } from "../google-rest/api-error.js";

// The emulator's Secret Manager: secrets and their versions, persisted like state.json (0600).

export interface SecretVersionRecord {
  number: number;
  createTime: string;
  state: "ENABLED" | "DISABLED" | "DESTROYED";
  /** The payload, base64 as the v1 REST API carries it. */
  data: string;
}

export interface SecretRecord {
  name: string;
  createTime: string;
  labels: Record<string, string>;
  versions: SecretVersionRecord[];
}

interface SecretsState {
  schemaVersion: 1;
  secrets: Record<string, SecretRecord>;
}

const SECRET_ID = /^[A-Za-z0-9_-]{1,255}$/;

export class SecretStore {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly file: string,
    private readonly state: SecretsState,
  ) {}

  static async open(file: string): Promise<SecretStore> {
    const parsed = await readStateFile<SecretsState>(file, "Secret Manager emulator", "its secrets are lost");
    const state: SecretsState = { schemaVersion: 1, secrets: Object.create(null) };
    if (parsed?.schemaVersion === 1) Object.assign(state.secrets, parsed.secrets);
    return new SecretStore(file, state);
  }

  get(name: string): SecretRecord {
    const secret = this.state.secrets[name];
    if (!secret) throw new ApiError("NOT_FOUND", `Secret [${name}] not found or has no versions.`);
    return secret;
  }

  list(project: string): SecretRecord[] {
    return Object.values(this.state.secrets).filter((s) => s.name.startsWith(`projects/${project}/secrets/`));
  }

  async create(project: string, secretId: string, labels: Record<string, string>): Promise<SecretRecord> {
    if (!SECRET_ID.test(secretId))
      throw new ApiError(
        "INVALID_ARGUMENT",
        `Invalid secret id "${secretId}": use [a-zA-Z0-9_-], 1 to 255 characters.`,
      );
    const name = `projects/${project}/secrets/${secretId}`;
    if (this.state.secrets[name]) throw new ApiError("ALREADY_EXISTS", `Secret [${name}] already exists.`);
    const record: SecretRecord = { name, createTime: new Date().toISOString(), labels, versions: [] };
    this.state.secrets[name] = record;
    await this.save();
    return record;
  }

  async remove(name: string): Promise<void> {
    this.get(name);
    delete this.state.secrets[name];
    await this.save();
  }

  async addVersion(name: string, data: string): Promise<SecretVersionRecord> {
    const secret = this.get(name);
    const version: SecretVersionRecord = {
      number: secret.versions.length + 1,
      createTime: new Date().toISOString(),
      state: "ENABLED",
      data,
    };
    secret.versions.push(version);
    await this.save();
    return version;
  }

  /** A version by number or `latest` (the newest enabled one), as Secret Manager resolves it. */
  version(name: string, version: string): SecretVersionRecord {
    const secret = this.get(name);
    const found =
      version === "latest"
        ? secret.versions.filter((v) => v.state === "ENABLED").at(-1)
        : secret.versions.find((v) => String(v.number) === version);
    if (!found) throw new ApiError("NOT_FOUND", `Secret Version [${name}/versions/${version}] not found.`);
    return found;
  }

  /** The payload of an enabled version, as accessSecretVersion returns it. */
  access(name: string, version: string): SecretVersionRecord {
    const found = this.version(name, version);
    if (found.state !== "ENABLED")
      throw new ApiError(
        "FAILED_PRECONDITION",
        `Secret Version [${name}/versions/${found.number}] is in ${found.state} state.`,
      );
    return found;
  }

  private save(): Promise<void> {
    const text = `${JSON.stringify(this.state, null, 2)}\n`;
    const run = this.queue.then(() => writePrivateFile(this.file, text));
    this.queue = run.catch(() => undefined);
    return run;
  }
}
