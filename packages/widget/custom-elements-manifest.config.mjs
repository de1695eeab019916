// The manifest documents the public contract: private members (`_name`) stay out.
export default {
  globs: ['src/nerm-connect.ts', 'src/events/*.ts'],
  litelement: true,
  // package.json already names the manifest; checks that write elsewhere must not rewrite it.
  packagejson: false,
  plugins: [
    {
      name: 'public-only',
      packageLinkPhase({ customElementsManifest }) {
        for (const mod of customElementsManifest.modules) {
          for (const declaration of mod.declarations ?? []) {
            // Private state (`static properties = { _x: { state: true } }`) is no attribute.
            if (declaration.attributes) {
              declaration.attributes = declaration.attributes.filter(
                (a) => !a.name.startsWith('_') && !a.fieldName?.startsWith('_'),
              );
            }
            if (declaration.members) {
              declaration.members = declaration.members.filter(
                (m) => m.privacy !== 'private' && !m.name.startsWith('_'),
              );
            }
          }
        }
      },
    },
  ],
};
