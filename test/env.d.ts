// Types the test files need beyond the Worker's own: the main module behind `exports`,
// and Vite's `?raw` imports of content files.
declare namespace Cloudflare {
  interface GlobalProps {
    mainModule: typeof import("../src/index.ts");
  }
}

declare module "*?raw" {
  const text: string;
  export default text;
}
