// DESIGN.md section 7: a hypervisor's name comes from its records, else from the folder holding its var/log
// (or its guests/ folder, for guest artefacts collected under the hypervisor).

export function hostFromPath(path: string): string | undefined {
  const p = path.replace(/\\/g, '/');
  const m = /(?:^|\/)([^/]+)\/(?:var\/log|guests)\//.exec(p);
  return m?.[1];
}

/** `.../guests/<domain>/...` names the libvirt domain a guest artefact was collected from. */
export function domainFromGuestFolder(path: string): string | undefined {
  const m = /(?:^|\/)guests\/([^/]+)\//.exec(path.replace(/\\/g, '/'));
  return m?.[1];
}
