#include "api/error_catalog.h"

#include <algorithm>

namespace clearway::api {

namespace {

std::vector<CatalogEntry> Build() {
  std::vector<CatalogEntry> entries = {
      // The request itself.
      {"malformed-json", "Send well-formed JSON; the message names the line and column."},
      {"empty-body", "Send the JSON document in the request body."},
      {"bad-parameter", "Use a whole number in the range the message gives."},
      {"bad-timestamp", "Use RFC 3339 UTC, e.g. 2026-11-24T10:00:00Z."},
      {"bad-cursor", "Pass back nextCursor exactly as a previous page returned it."},
      {"bad-limit", "Ask for 1 to 500 items per page."},
      {"bad-idempotency-key", "Use 1 to 255 visible ASCII characters, e.g. a UUID."},
      {"idempotency-key-reused",
       "A key names one request; send a new Idempotency-Key for a different body."},
      {"unknown-status", "Use one of draft, submitted, accepted, rejected, under_control, "
                         "released, held, seized, invalidated."},
      {"unknown-channel", "Use green, yellow or red."},
      {"unknown-action",
       "Officers decide with route_green, route_yellow, route_red, release, hold, seize or "
       "reject; declarants use /submit and /invalidate."},
      {"reason-required", "Give a reason: it is recorded with the decision for later review."},
      {"validation-failed", "Fix every field listed in errors and send the declaration again."},
      // Declaration fields (docs/declaration.md).
      {"required", "Add the missing field."},
      {"wrong-type", "Send the JSON type the field needs (string, number, object or array)."},
      {"unknown-field", "Remove the field or correct its spelling (field names are camelCase)."},
      {"unknown-country", "Use an ISO 3166-1 alpha-2 country code in upper case, e.g. DE."},
      {"unknown-currency", "Use an ISO 4217 currency code in upper case, e.g. EUR."},
      {"bad-commodity-code", "Give 6, 8 or 10 digits of the Harmonized System code, no dots."},
      {"bad-eori", "Use an EORI-style id: country code then up to 15 letters or digits."},
      {"bad-office", "Use the customs office code: country code then 6 letters or digits."},
      {"bad-container-id",
       "Use an ISO 6346 container number (4 letters, 6 digits, check digit); check the last digit."},
      {"duplicate-container", "List each container once."},
      {"bad-amount", "Write money as a decimal string with at most the currency's decimals."},
      {"money-must-be-decimal-string",
       "Write money as a string such as \"1234.50\": floating-point numbers lose cents."},
      {"negative-amount", "Amounts cannot be negative."},
      {"not-positive", "Masses and quantities must be greater than zero."},
      {"net-mass-exceeds-gross-mass", "Net mass cannot exceed gross mass (packing included)."},
      {"invoice-total-mismatch",
       "Make the invoice total equal the sum of the goods items' prices exactly."},
      {"currency-mismatch", "Use the invoice currency for every amount."},
      {"bad-date", "Use a real calendar date as YYYY-MM-DD."},
      {"date-in-future", "The invoice date cannot be later than today (UTC)."},
      {"sequence-out-of-order", "Number goods items 1, 2, 3 … in the order they are listed."},
      {"too-many-items", "Split the shipment: at most 999 goods items per declaration."},
      {"too-long", "Shorten the text to the maximum length the message gives."},
      {"too-many-problems", "Fix the problems listed first; more will be reported after."},
      {"bad-procedure", "Use a 4-digit customs procedure code, e.g. 4000 for release for free "
                        "circulation."},
      {"procedure-type-mismatch",
       "Use an import procedure for an import (e.g. 40xx) and an export one for an export (10xx)."},
      {"bad-declaration-type", "Use \"import\" or \"export\"."},
      {"bad-incoterm", "Use an Incoterms 2020 code: EXW FCA CPT CIP DAP DPU DDP FAS FOB CFR CIF."},
      {"bad-transport-mode", "Use a UN/ECE Recommendation 19 mode, 1 (sea) to 9."},
      {"bad-unit", "Use a UN/ECE Recommendation 20 unit code such as KGM, NAR or LTR."},
      {"bad-document-code", "Use a 4-character document code such as U004 or N954."},
      // Who may do what.
      {"missing-credentials",
       "Sign in with POST /v1/sessions and send the token as Authorization: Bearer."},
      {"bad-credentials", "Check the username and password."},
      {"missing-field", "Send every required field (see /v1/openapi.json)."},
      {"mfa-required", "Send the current code of your authenticator app as totp."},
      {"mfa-invalid",
       "Use the current code (each is accepted once), or an unused recovery code."},
      {"mfa-enrolment-required",
       "Your account must use a second factor: ask an administrator to enrol you."},
      {"mfa-already-enrolled", "Your second factor is set up already."},
      {"mfa-not-enrolled", "Begin with POST /v1/mfa/enrolment, then confirm with a code."},
      {"backoff", "Wait for the time in Retry-After, then try again."},
      {"locked-out", "Wait for the time in Retry-After; administrators can see the attempts."},
      {"token-invalid", "Sign in again (POST /v1/sessions) for a fresh token."},
      {"token-expired", "Sign in again: sessions end after 15 idle minutes or 12 hours."},
      {"token-revoked", "Sign in again; if you did not sign out, tell your administrator."},
      {"token-scope-missing", "Use a token issued with the scope this route needs."},
      {"token-unknown-scope", "Use the scopes listed in docs/identity.md."},
      {"token-no-scope", "Give at least one scope."},
      {"not-a-service-account", "API tokens are issued to enabled service accounts only."},
      {"forbidden", "Ask an administrator for access if you need it."},
      {"declarant-mismatch", "Set declarant.id to your own organisation's id."},
      // The state of things.
      {"declaration-not-found", "Check the id; you can list your declarations."},
      {"version-not-found", "List the versions of the declaration to see which exist."},
      {"illegal-transition",
       "Fetch the declaration: allowedActions lists what can be done in its status now."},
      {"actor-not-allowed", "This action belongs to another role (declarant or officer)."},
      {"concurrent-change", "Someone changed the declaration at the same time; fetch it and retry."},
      {"version-mismatch", "Fetch the current version, re-apply your change and send If-Match again."},
      {"organisation-change",
       "An amendment keeps the trader; invalidate and file a new declaration instead."},
      // The ledger.
      {"leaf-not-found", "The log has fewer leaves: fetch /v1/ledger/checkpoint for its size."},
      {"leaf-index-out-of-range", "Ask for a leaf index below the tree size."},
      {"tree-size-out-of-range",
       "Ask for a tree size no larger than the latest checkpoint's (GET /v1/ledger/checkpoint)."},
      {"bad-consistency-range", "Give from <= to: the old tree size first."},
      {"no-checkpoint", "Try again in a moment: the log signs a checkpoint every second."},
      {"foreign-checkpoint",
       "Send a checkpoint this log signed (verify it with GET /v1/ledger/key), or only old_size."},
      {"fork-detected",
       "Keep the checkpoint you sent as evidence and alert the log's operator: the log's tree "
       "contradicts a checkpoint it signed."},
      {"checkpoint-not-found",
       "The log keeps only the checkpoints it signed: fetch /v1/ledger/checkpoint for the latest."},
      {"no-witnessed-checkpoint",
       "No witness has cosigned yet; the log's own signature is on /v1/ledger/checkpoint."},
      {"no-witnesses", "The operator lists the witnesses it trusts in [ledger] witnesses."},
      {"unknown-witness",
       "Ask the log's operator to add your witness key (GET /v1/ledger/witnesses lists them)."},
      {"bad-cosignature", "Cosign the exact checkpoint text the log served, with your own key."},
      {"checkpoint-mismatch",
       "Send back the checkpoint text exactly as the log served it (GET /v1/ledger/checkpoints/N)."},
      {"malformed-note",
       "Send a C2SP signed note: the text, a blank line, then one signature line per key."},
      {"malformed-checkpoint",
       "The note's text must be a C2SP checkpoint: origin, tree size, base64 root hash."},
      // The security event log (docs/identity.md).
      {"security-event-bad-type",
       "Use a security event type from docs/identity.md, e.g. login-failed."},
      {"security-event-bad-outcome", "Use success, failure or denied."},
      {"security-event-unreadable",
       "A stored event is damaged: run clearway ledger verify --full and alert the operator."},
      // Retention and legal holds (docs/keys.md).
      {"declaration-purged",
       "The declaration's retention period ended and it was crypto-shredded; only its ledger "
       "leaves remain."},
      {"bad-hold",
       "Give scope declaration or organisation, a target id, a case reference (at most 64 "
       "bytes) and a reason (at most 500)."},
      {"hold-not-found", "List the legal holds (GET /v1/retention/holds?all=true) for their ids."},
      {"hold-already-released", "A hold is released once; place a new hold if needed."},
      {"legal-hold",
       "A legal hold keeps this declaration; release the hold first if the case is closed."},
      {"already-purged", "The record was purged by an earlier retention run; nothing to do."},
      {"duplicate-hold", "Retry: the hold id collided, which should not happen twice."},
      // The tariff (docs/tariff.md).
      {"empty-query",
       "Give at least one word, e.g. q=frozen boneless bovine meat."},
      {"not-an-import",
       "Send an import declaration (type \"import\")."},
      {"no-exchange-rate",
       "Invoice in EUR, or ask the tariff manager to import the rate for that date."},
      {"quantity-unit-required",
       "Declare the item's quantity in LTR/HLT (per litre) or NAR (per item)."},
      {"bad-duty-expression",
       "Correct the measure's duty text, e.g. 12.8 % + 176.8 EUR / 100 kg MAX 18.9 %."},
      {"amount-out-of-range",
       "Check the masses, quantities and prices of the goods items."},
      {"tariff-store-failed",
       "Try again shortly; operators find the cause in the server log."},
      // The risk engine (docs/risk.md).
      {"override-reason-required",
       "Say why you route against the risk engine: the reason is kept on the ledger."},
      {"assessment-not-found",
       "Drafts and versions filed before assessment was enabled have none; ask for another "
       "version."},
      {"not-inspectable",
       "Record an inspection result once the declaration is under control, held, seized or "
       "released."},
      {"risk-engine-unavailable", "Try again shortly; the operator starts the risk engine."},
      {"profile-not-found", "List the profiles (GET /v1/risk/profiles) to see which exist."},
      {"profile-exists", "Choose another id: profile ids are never reused, even when retired."},
      {"illegal-profile-transition",
       "Activate a draft, retire a draft or an active profile; create a new one to change it."},
      {"bad-profile",
       "Send one profile as docs/risk.md shows: id, description, conditions, a lane or a weight."},
      {"unknown-lane", "Use green, blue, yellow or red."},
      {"empty-profile", "Give at least one condition, and a lane or a weight above 0."},
      {"bad-weight", "Give a weight from 0 to 1."},
      {"bad-validity", "Make valid_to later than valid_from (valid_to is exclusive)."},
      {"duplicate-profile", "Give each profile its own id."},
      {"write-failed", "Try again shortly; operators find the cause in the server log."},
      {"profile-store-conflict",
       "Send the change again: other analysts kept changing the profiles meanwhile."},
      {"profile-store-failed", "Try again shortly; operators find the cause in the server log."},
      {"model-store-failed", "Try again shortly; operators find the cause in the server log."},
      // The server.
      {"route-not-found", "Check the path against /v1/openapi.json."},
      {"method-not-allowed", "Use one of the methods in the Allow header."},
      {"body-too-large", "Send at most 1 MiB; split very large shipments."},
      {"unsupported-media-type", "Send Content-Type: application/json."},
      {"store-unavailable", "Try again shortly; operators are alerted by /healthz."},
      // The PostgreSQL store (docs/store-postgres.md).
      {"store-busy", "Try again shortly."},
      {"store-read-only", "Try again shortly; the operator points the store at the primary."},
      {"commit-outcome-unknown",
       "Send the same request again with the same Idempotency-Key: it is filed at most once."},
      {"unsupported-text", "Remove NUL characters and send UTF-8 text."},
      // Encryption at rest (docs/keys.md).
      {"empty-blind-index-value",
       "Give invoiceNumber or container a value that is not only spaces, or leave it out."},
      {"blind-index-unavailable",
       "Look-ups by invoice number or container need the server's key file; ask the operator."},
      {"key-unavailable",
       "Try again shortly; the operator restores the key file or token (docs/keys.md)."},
      {"internal", "Try again; if it persists, report the X-Request-Id to the operator."},
  };
  std::sort(entries.begin(), entries.end(),
            [](const CatalogEntry& a, const CatalogEntry& b) { return a.reason < b.reason; });
  return entries;
}

}  // namespace

const std::vector<CatalogEntry>& ErrorCatalog() {
  static const std::vector<CatalogEntry> catalog = Build();
  return catalog;
}

std::string ErrorHint(std::string_view reason) {
  const auto& catalog = ErrorCatalog();
  auto it = std::lower_bound(catalog.begin(), catalog.end(), reason,
                             [](const CatalogEntry& e, std::string_view r) { return e.reason < r; });
  if (it == catalog.end() || it->reason != reason) return "";
  return std::string(it->hint);
}

}  // namespace clearway::api
