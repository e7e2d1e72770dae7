import { describe, expect, it } from "vitest";
import { detectWebFrontEnd } from "../../deploy/hosting/detect-web-mode.js";

/** A front end from a map of path → text. */
const detect = (packageJson: object | undefined, files: Record<string, string>) =>
  detectWebFrontEnd(packageJson, Object.keys(files), (path) => files[path]);
const NEXT = { dependencies: { next: "16.5.0", react: "19", "react-dom": "19" } };
const EXPORT = {
  "next.config.mjs": 'export default { output: "export", generateBuildId: async () => "abc" };\n',
};
const blockersOf = (files: Record<string, string>) =>
  detect(NEXT, { ...EXPORT, ...files }).blockers.map(
    (b) => `${b.file}${b.line ? `:${b.line}` : ""} ${b.feature} ${b.severity}`,
  );

describe("detectWebFrontEnd", () => {
  it("proposes mode, build command, output directory and public prefix per framework", () => {
    expect(detect(NEXT, { ...EXPORT, "app/page.js": "" })).toMatchObject({
      framework: "next",
      mode: "template",
      buildCommand: "npx next build",
      publicDir: "out",
      publicPrefix: "NEXT_PUBLIC_",
      buildCaches: [".next", "next-env.d.ts"],
      blockers: [],
    });
    expect(detect({ devDependencies: { vite: "^8" } }, { "index.html": "" })).toMatchObject({
      framework: "vite",
      publicDir: "dist",
      publicPrefix: "VITE_",
    });
    // A build script that runs the framework's CLI is enough.
    expect(detect({ scripts: { build: "vite build" } }, {}).framework).toBe("vite");
    expect(detect({ scripts: { build: "NODE_ENV=production next build" } }, {}).framework).toBe("next");
    expect(detect({ scripts: { build: "invite build" } }, {}).framework).toBe("static");
    expect(detect({ dependencies: { "react-scripts": "5" } }, {})).toMatchObject({
      framework: "cra",
      publicDir: "build",
      publicPrefix: "REACT_APP_",
    });
    // CRA's conventions with another builder: the source reads REACT_APP_* and a script builds.
    expect(
      detect(
        { scripts: { build: "node build.mjs" } },
        { "src/index.js": "const url = process.env.REACT_APP_SERVER_URL;" },
      ).framework,
    ).toBe("cra");
    expect(detect(undefined, { "web/public/index.html": "" })).toMatchObject({
      framework: "static",
      mode: "runtime-config",
      blockers: [],
    });
    // A page that reads /echogate.json keeps runtime-config whatever bundles it.
    expect(
      detect({ devDependencies: { vite: "^8" } }, { "src/app.js": "fetch('/echogate.json')" }).mode,
    ).toBe("runtime-config");
  });

  it("App Router and Pages Router static exports have no blockers", () => {
    expect(
      blockersOf({
        "app/layout.js": "export default function L({children}){return children}",
        "app/page.js": '"use client";\nexport default function P(){}',
        "app/feed.xml/route.js": "export async function GET() { return new Response('<rss/>'); }",
        "pages/about.js": "export async function getStaticProps() { return { props: {} }; }",
        "src/app/lib/actions-doc.md": '"use server" is not used here',
      }),
    ).toEqual([]);
  });

  it("names each server-side Next.js feature static hosting can't serve, with file and line", () => {
    expect(detect(NEXT, { "next.config.js": "module.exports = {}", "app/page.js": "" }).blockers).toEqual([
      expect.objectContaining({ file: "next.config.js", feature: "no static export", severity: "error" }),
    ]);
    expect(detect(NEXT, { "app/page.js": "" }).blockers[0]).toMatchObject({
      file: "package.json",
      feature: "no static export",
    });
    expect(
      blockersOf({
        "pages/api/rooms.js": "export default function handler(req, res) {}",
        "src/app/api/messages/route.ts": "import x from 'y';\nexport async function POST(request) {}",
        "app/api/me/route.js": "import { cookies } from 'next/headers';\nexport async function GET() {}",
        "middleware.ts": "export function middleware() {}",
        "pages/room/[id].js":
          "const a = 1;\nexport async function getServerSideProps() { return { props: {} }; }",
        "app/actions.js": '"use server";\nexport async function send() {}',
        "app/news/page.js": "export const revalidate = 60;\nexport default function N() {}",
        "pages/blog.js":
          "export async function getStaticProps() {\n  return { props: {}, revalidate: 10 };\n}",
        "app/avatar.js": 'import Image from "next/image";',
      }).sort(),
    ).toEqual([
      "app/actions.js:1 server action error",
      "app/api/me/route.js:1 route handler error",
      "app/avatar.js:1 next/image default loader error",
      "app/news/page.js:1 ISR revalidate error",
      "middleware.ts middleware error",
      "pages/api/rooms.js API route error",
      "pages/blog.js:2 ISR revalidate error",
      "pages/room/[id].js:2 getServerSideProps error",
      "src/app/api/messages/route.ts:2 route handler error",
    ]);
    // next/image is fine unoptimized; rewrites in next.config are a warning (firebase.json does them).
    expect(
      detect(NEXT, {
        "next.config.mjs":
          'export default {\n  output: "export",\n  images: { unoptimized: true },\n  async rewrites() { return []; },\n};',
        "app/avatar.js": 'import Image from "next/image";',
      }).blockers.map((b) => `${b.file}:${b.line} ${b.feature} ${b.severity}`),
    ).toEqual([
      "next.config.mjs:undefined random build id warning",
      "next.config.mjs:4 next.config rewrites warning",
    ]);
  });

  it("warns about a dev-server proxy the built site would miss (Vite server.proxy, CRA proxy)", () => {
    expect(
      detect(
        { devDependencies: { vite: "^8" } },
        {
          "vite.config.js":
            "export default {\n  server: {\n    proxy: { '/api': 'http://localhost:3001' },\n  },\n};",
        },
      ).blockers,
    ).toEqual([expect.objectContaining({ file: "vite.config.js", line: 3, severity: "warning" })]);
    expect(
      detect({ dependencies: { "react-scripts": "5" }, proxy: "http://localhost:3001" }, {}).blockers[0],
    ).toMatchObject({ file: "package.json", feature: "dev-server proxy" });
  });
});

describe("readFrontEnd", () => {
  it("reads the front end from the nearest folder above publicDir with a package.json", async () => {
    const { testdir } = await import("../helpers/testdir.js");
    const { readFrontEnd } = await import("../../deploy/hosting/read-front-end.js");
    const cwd = await testdir({
      "package.json": JSON.stringify({ name: "server", scripts: { start: "node server.js" } }),
      "server.js": "",
      "web/package.json": JSON.stringify({ scripts: { build: "next build" }, dependencies: { next: "16" } }),
      "web/next.config.mjs": 'export default { output: "export", generateBuildId: () => "x" };',
      "web/pages/api/rooms.js": "export default function handler() {}",
      "web/node_modules/next/pages/api/ignored.js": "",
      "web/.next/server/pages/api/ignored.js": "",
    });
    expect(readFrontEnd(cwd, "web/out")).toMatchObject({
      dir: "web",
      framework: "next",
      buildCommand: "npm run build",
      blockers: [expect.objectContaining({ file: "pages/api/rooms.js", feature: "API route" })],
    });
    expect(readFrontEnd(cwd, "public")).toMatchObject({ dir: ".", framework: "static" });
  });
});
