/** The lengths and counts every input is held to, wherever it enters (arguments, federation references). */
/** Length limits, from Kubernetes: a label key is a 253-character prefix, `/` and a 63-character name. */
export const LIMITS = {
  /** Pool names and label values: a Kubernetes label value or DNS label. */
  name: 63,
  labelKey: 317,
  labelValue: 63,
  /** One filter condition's value: as long as the longest thing it can match, a label key. */
  filterValue: 317,
  /** The whole filter as Run:ai receives it in the URL: far below the 8 KB request lines proxies take. */
  filterBy: 4096,
  /** Swap sizes such as `100G`. */
  size: 32,
  /** Ids in one list (`nodes(ids:)`, subscription filters). */
  ids: 500,
  /** Entries of one list of enum values. */
  enumList: 100,
} as const;
