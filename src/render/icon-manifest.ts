// Written by `npm run icons` (scripts/icons.ts) from site/icon.png and site/icon.svg: edit those, not this.
export const ICON_MANIFEST = {
  svg: "/icons/icon.5b70241b22.svg",
  png: [
    { size: 512, path: "/icons/icon-512.93a5cd2c6b.png" },
    { size: 192, path: "/icons/icon-192.2c240bdf07.png" },
    { size: 144, path: "/icons/icon-144.d38b90dfcf.png" },
    { size: 64, path: "/icons/icon-64.2967592f3a.png" },
    { size: 32, path: "/icons/icon-32.94ba01a0bc.png" },
  ],
  appleTouch: { size: 180, path: "/icons/icon-180.e6b4df6e3c.png" },
} as const;
