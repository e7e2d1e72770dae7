// The query parameters each Firebase Hosting v1beta1 method binds (the discovery document's
// `parameters` with `location: query`), by the emulator's route id.

export const HOSTING_QUERY_PARAMS: Record<string, readonly string[]> = {
  "operations.get": [],
  "sites.create": ["siteId", "validateOnly"],
  "sites.list": ["pageSize", "pageToken"],
  "sites.get": [],
  "sites.patch": ["updateMask"],
  "sites.delete": [],
  "channels.create": ["channelId"],
  "channels.list": ["pageSize", "pageToken"],
  "channels.get": [],
  "channels.patch": ["updateMask"],
  "channels.delete": [],
  "releases.create": ["versionName"],
  "releases.list": ["pageSize", "pageToken"],
  "releases.get": [],
  "versions.create": ["versionId", "sizeBytes"],
  "versions.list": ["pageSize", "pageToken", "filter"],
  "versions.clone": [],
  "versions.get": [],
  "versions.patch": ["updateMask"],
  "versions.delete": [],
  "versions.populateFiles": [],
  "versions.files.list": ["status", "pageSize", "pageToken"],
};
