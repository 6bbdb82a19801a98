// Event names as client-go builds them (`<object name>.<unique hex suffix>`), bounded: the
// object part is cut so the whole stays a valid DNS subdomain of at most 253 characters
// (kubernetes/kubernetes#127594: a long object name made client-go's Events fail; it now falls
// back to a random name, which loses the link a reader sees in `kubectl get events`; cutting
// the object part keeps it). A name that is still invalid (object names of some kinds allow
// characters Events do not) becomes the suffix alone, prefixed with `event`.

const _MAX = 253;
const _DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** `<objectName>.<suffix>`, at most 253 characters, a valid DNS subdomain. */
export function _eventName(objectName: string, suffix: string): string {
  const tail = `.${suffix}`;
  let head = objectName.slice(0, Math.max(0, _MAX - tail.length));
  // A cut can leave a trailing '.' or '-', which a DNS subdomain may not end a label with.
  head = head.replace(/[^a-z0-9]+$/, "");
  const name = `${head}${tail}`;
  if (head !== "" && _DNS_SUBDOMAIN.test(name)) return name;
  return `event${tail}`;
}
