#include "tariff/postgres/schema.h"

#include <array>

#include "store/postgres/locks.h"
#include "store/postgres/module_schema.h"

namespace clearway::tariff::postgres::internal {

namespace {

// Version 1: SQLite's tariff.db. The search configuration stems every word with Snowball's
// English stemmer and drops none (FTS5's porter tokenizer has no stop words either), so a
// query of common words still matches.
constexpr const char* kV1 = R"sql(
CREATE TEXT SEARCH DICTIONARY tariff_english_stem (TEMPLATE = snowball, LANGUAGE = english);
CREATE TEXT SEARCH CONFIGURATION tariff_english (PARSER = default);
ALTER TEXT SEARCH CONFIGURATION tariff_english ADD MAPPING
  FOR asciiword, word, numword, asciihword, hword, numhword, hword_asciipart, hword_part,
      hword_numpart
  WITH tariff_english_stem;
ALTER TEXT SEARCH CONFIGURATION tariff_english ADD MAPPING
  FOR int, uint, float, sfloat, version WITH simple;

CREATE TABLE tariff_nomenclature (
  code        TEXT COLLATE "C" NOT NULL PRIMARY KEY,
  parent      TEXT COLLATE "C" NOT NULL,
  description TEXT NOT NULL,
  valid_from  TEXT COLLATE "C" NOT NULL,
  valid_to    TEXT COLLATE "C",
  search      tsvector GENERATED ALWAYS AS
                (to_tsvector('tariff_english'::regconfig, description)) STORED
);
CREATE INDEX tariff_nomenclature_search ON tariff_nomenclature USING GIN (search);

CREATE TABLE tariff_measures (
  row_id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  measure_id      TEXT COLLATE "C" NOT NULL,
  type            TEXT NOT NULL,
  code            TEXT COLLATE "C" NOT NULL,
  geo             TEXT COLLATE "C" NOT NULL,
  excluded        TEXT NOT NULL,
  valid_from      TEXT COLLATE "C" NOT NULL,
  valid_to        TEXT COLLATE "C",
  legal_base      TEXT NOT NULL,
  conditions      TEXT NOT NULL,
  duty            TEXT NOT NULL,
  agreement       TEXT NOT NULL,
  additional_code TEXT NOT NULL,
  quota_order     TEXT NOT NULL,
  recorded_from   BIGINT NOT NULL,
  recorded_to     BIGINT,
  change          TEXT NOT NULL CHECK (change IN ('new', 'modified', 'ended')),
  file_id         TEXT COLLATE "C" NOT NULL
);
CREATE INDEX tariff_measures_by_code ON tariff_measures (code, valid_from);
CREATE UNIQUE INDEX tariff_measures_current ON tariff_measures (measure_id)
  WHERE recorded_to IS NULL;
CREATE INDEX tariff_measures_by_recorded ON tariff_measures (recorded_from, row_id);

CREATE TABLE tariff_geo_groups (
  code        TEXT COLLATE "C" NOT NULL,
  members     TEXT NOT NULL,
  recorded_at BIGINT NOT NULL,
  PRIMARY KEY (code, recorded_at)
);

CREATE TABLE tariff_quotas (
  order_number TEXT COLLATE "C" NOT NULL,
  volume       BIGINT NOT NULL,
  unit         TEXT NOT NULL,
  recorded_at  BIGINT NOT NULL,
  PRIMARY KEY (order_number, recorded_at)
);

CREATE TABLE tariff_quota_balances (
  order_number TEXT COLLATE "C" NOT NULL PRIMARY KEY,
  volume       BIGINT NOT NULL,
  drawn        BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE tariff_quota_draws (
  id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  order_number TEXT COLLATE "C" NOT NULL REFERENCES tariff_quota_balances (order_number),
  thousandths  BIGINT NOT NULL,
  reference    TEXT COLLATE "C" NOT NULL,
  recorded_at  BIGINT NOT NULL
);
CREATE INDEX tariff_quota_draws_by_quota ON tariff_quota_draws (order_number, recorded_at);
CREATE UNIQUE INDEX tariff_quota_draws_once ON tariff_quota_draws (order_number, reference)
  WHERE reference <> '';

CREATE TABLE tariff_exchange_rates (
  id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  currency    TEXT COLLATE "C" NOT NULL,
  per_unit    BIGINT NOT NULL,
  valid_from  TEXT COLLATE "C" NOT NULL,
  valid_to    TEXT COLLATE "C",
  recorded_at BIGINT NOT NULL
);
CREATE INDEX tariff_rates_by_currency ON tariff_exchange_rates (currency, valid_from);

CREATE TABLE tariff_imports (
  file_id     TEXT COLLATE "C" NOT NULL PRIMARY KEY,
  sha256      TEXT NOT NULL,
  recorded_at BIGINT NOT NULL
);
)sql";

// Version 2: the revision caches compare (TariffStore::Revision()): each import gets a number
// from an identity as it is recorded (imports take turns under the import lock, so numbers
// and transaction times grow together), and the latest import is an index look-up.
constexpr const char* kV2 = R"sql(
ALTER TABLE tariff_imports ADD COLUMN seq BIGINT GENERATED ALWAYS AS IDENTITY;
CREATE INDEX tariff_imports_by_recorded ON tariff_imports (recorded_at);
)sql";

const std::array<const char*, 2> kMigrations = {kV1, kV2};

}  // namespace

int64_t TariffMigrationCount() { return static_cast<int64_t>(kMigrations.size()); }

const store::postgres::internal::ModuleMigrations& TariffMigrations() {
  static const store::postgres::internal::ModuleMigrations migrations = {
      "tariff_schema_migrations", store::postgres::internal::kTariffMigrationLock, kMigrations,
      "the tariff tables"};
  return migrations;
}

}  // namespace clearway::tariff::postgres::internal
