/**
 * Deviations from the specs seen on Open Zaak 1.30, which the loopback ZGW server can switch on to test that
 * units tolerate them. All are off by default. An answer a deviation changes is validated before the change, so
 * the knowing difference is not counted as a violation.
 */

export interface ZgwDeviations {
  /** `""` instead of absent/null in the optional uri and email fields of answers. */
  emptyStringUris: boolean;
  /** `gezetdoor: null` on statussen. */
  gezetdoorNull: boolean;
  /**
   * Statustype answers carry `zaakobjecttypen` (a list) instead of 1.3.1's `zaakobjecttype` (Open Zaak 1.30's own
   * Catalogi file has no `zaakobjecttype` on StatusType).
   */
  zaakobjecttypen: boolean;
  /** Problems sent as `application/json` instead of `application/problem+json`. */
  problemAsJson: boolean;
}

/** Every deviation off. */
export const NO_DEVIATIONS: Readonly<ZgwDeviations> = Object.freeze({
  emptyStringUris: false,
  gezetdoorNull: false,
  zaakobjecttypen: false,
  problemAsJson: false,
});
