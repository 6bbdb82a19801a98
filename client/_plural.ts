// The plural of a custom resource kind when the author gives none, by the English rules that
// kubebuilder's and Kubernetes' own code generators apply: -s/-x/-z/-ch/-sh take -es, a
// consonant + y becomes -ies, everything else takes -s. Kinds whose last word is an irregular
// noun (Person, Child, Leaf, Analysis, ...) have no rule to follow: they must name their
// plural, so a CRD never gets a silently wrong name ("persons", "leafs").

const _IRREGULAR = new Set([
  "person",
  "child",
  "man",
  "woman",
  "mouse",
  "goose",
  "foot",
  "tooth",
  "leaf",
  "knife",
  "life",
  "wife",
  "wolf",
  "half",
  "datum",
  "medium",
  "criterion",
  "phenomenon",
  "analysis",
  "basis",
  "crisis",
  "axis",
  "thesis",
  "hypothesis",
  "cactus",
  "fungus",
  "radius",
  "alumnus",
]);

/** Thrown for a kind whose plural no rule gives. */
export class _IrregularPluralError extends TypeError {
  constructor(kind: string, word: string) {
    super(
      `expected an explicit plural for kind ${kind}: its last word "${word}" is an irregular noun, so no rule gives its plural (set plural, e.g. "${
        _suggest(kind)
      }")`,
    );
    this.name = "IrregularPluralError";
  }
}

const _SUGGEST: Record<string, string> = {
  person: "people",
  child: "children",
  man: "men",
  woman: "women",
  mouse: "mice",
  goose: "geese",
  foot: "feet",
  tooth: "teeth",
  leaf: "leaves",
  knife: "knives",
  life: "lives",
  wife: "wives",
  wolf: "wolves",
  half: "halves",
  datum: "data",
  medium: "media",
  criterion: "criteria",
  phenomenon: "phenomena",
  analysis: "analyses",
  basis: "bases",
  crisis: "crises",
  axis: "axes",
  thesis: "theses",
  hypothesis: "hypotheses",
  cactus: "cacti",
  fungus: "fungi",
  radius: "radii",
  alumnus: "alumni",
};

function _lastWord(kind: string): string {
  const words = kind.match(/[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])/g) ?? [kind];
  return words[words.length - 1].toLowerCase();
}

function _suggest(kind: string): string {
  const word = _lastWord(kind);
  const lower = kind.toLowerCase();
  return lower.slice(0, lower.length - word.length) + (_SUGGEST[word] ?? `${word}s`);
}

/** The lowercase plural of `kind`; throws `_IrregularPluralError` where no rule applies. */
export function _pluralize(kind: string): string {
  const word = _lastWord(kind);
  if (_IRREGULAR.has(word)) throw new _IrregularPluralError(kind, word);
  const lower = kind.toLowerCase();
  if (/(s|x|z|ch|sh)$/.test(lower)) return `${lower}es`;
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  return `${lower}s`;
}
