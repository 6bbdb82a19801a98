// String formats a CRD schema may name (apiextensions' supportedFormats, checked by
// kube-openapi's strfmt registry). Formats outside this list are not checked at all, as in kube
// (they are stripped before validation); numeric formats (int32, int64, float, double) are
// never checked against values either. Checks lean towards accepting where strfmt is lenient.

const _uuid = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const _uuidV = (v: string) =>
  new RegExp(`^[0-9a-f]{8}-?[0-9a-f]{4}-?${v}[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$`, "i");
const _dateTime =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(:(\d{2})(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?$/;
const _hostname =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

function _validDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return d <= days;
}

function _ipv4(s: string): boolean {
  const parts = s.split(".");
  return parts.length === 4 &&
    parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

function _ipv6(s: string): boolean {
  if (!s.includes(":") || !/^[0-9a-fA-F:.]+$/.test(s)) return false;
  try {
    new URL(`http://[${s}]/`);
    return true;
  } catch {
    return false;
  }
}

const _checks: Record<string, (s: string) => boolean> = {
  "bsonobjectid": (s) => /^[0-9a-fA-F]{24}$/.test(s),
  "uri": (s) => {
    if (s.startsWith("/")) return true;
    try {
      new URL(s);
      return true;
    } catch {
      return false;
    }
  },
  "email": (s) => /^[^@\s]+@[^@\s]+$/.test(s) || /^[^<>]*<[^@\s]+@[^@\s]+>$/.test(s),
  "hostname": (s) => _hostname.test(s),
  "ipv4": _ipv4,
  "ipv6": _ipv6,
  "cidr": (s) => {
    const [ip, bits, ...rest] = s.split("/");
    if (rest.length > 0 || bits === undefined || !/^\d{1,3}$/.test(bits)) return false;
    if (_ipv4(ip)) return Number(bits) <= 32;
    return _ipv6(ip) && Number(bits) <= 128;
  },
  "mac": (s) =>
    /^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$/.test(s) ||
    /^([0-9a-fA-F]{2}[:-]){7}[0-9a-fA-F]{2}$/.test(s) ||
    /^([0-9a-fA-F]{4}\.){2}[0-9a-fA-F]{4}$/.test(s),
  "uuid": (s) => _uuid.test(s),
  "uuid3": (s) => _uuidV("3").test(s),
  "uuid4": (s) => _uuidV("4").test(s),
  "uuid5": (s) => _uuidV("5").test(s),
  "isbn": (s) => /^(\d[- ]?){9}[\dXx]$|^(\d[- ]?){12}\d$/.test(s),
  "isbn10": (s) => /^(\d[- ]?){9}[\dXx]$/.test(s),
  "isbn13": (s) => /^(\d[- ]?){12}\d$/.test(s),
  "creditcard": (s) => /^[\d -]{12,23}$/.test(s),
  "ssn": (s) => /^\d{3}[- ]?\d{2}[- ]?\d{4}$/.test(s),
  "hexcolor": (s) => /^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/.test(s),
  "rgbcolor": (s) => /^rgb\(\s*\d{1,3}\s*,\s*\d{1,3}\s*,\s*\d{1,3}\s*\)$/.test(s),
  "byte": (s) => s.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(s),
  "password": () => true,
  "date": (s) => {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
    return m !== null && _validDate(Number(m[1]), Number(m[2]), Number(m[3]));
  },
  "duration": (s) =>
    /^[-+]?(\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)([-+]?(\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))*$/
      .test(s) ||
    /^\d+\s*(ns|us|ms|s|m|h|d|w|nanoseconds?|microseconds?|milliseconds?|seconds?|minutes?|hours?|days?|weeks?)$/
      .test(s),
  "datetime": (s) => {
    const m = _dateTime.exec(s);
    if (m === null) return false;
    const [hh, mm, ss] = [Number(m[4]), Number(m[5]), Number(m[7] ?? 0)];
    return _validDate(Number(m[1]), Number(m[2]), Number(m[3])) && hh < 24 && mm < 60 && ss < 61;
  },
};

/**
 * Returns whether `value` satisfies `format`, or `undefined` when the format is not one kube
 * checks (then the value always passes).
 */
export function _checkFormat(format: string, value: string): boolean | undefined {
  // strfmt normalises names: "date-time" and "datetime" are the same format.
  const check = _checks[format.toLowerCase().replaceAll("-", "")];
  return check === undefined ? undefined : check(value);
}
