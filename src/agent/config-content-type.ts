// Content type of a rendered unattended config by its asset type. Installers
// read the body whatever the type says; the type is for people and proxies.

export function configContentType(assetType: string, text: string): string {
  switch (assetType) {
    case 'ignition':
      // Ignition assets may be JSON or the YAML config that is translated to it.
      return text.trimStart().startsWith('{') ? 'application/json' : 'text/yaml; charset=utf-8';
    case 'cloud-config':
      return 'text/yaml; charset=utf-8';
    default:
      // kickstart and untyped
      return 'text/plain; charset=utf-8';
  }
}
