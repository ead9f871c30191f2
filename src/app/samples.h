// File: app/samples.h
//
// Realistic sample declarations in the API's JSON form, for the demo, the CLI's
// `declare example`, tests and the load generator. Deterministic for a given seed.
//
//   auto body = app::MakeSampleDeclaration({.importer = nordfleisch, .items = 3, .seed = 7});
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <string>

namespace clearway::app {

struct SampleParty {
  std::string id;        // EORI-style
  std::string name;
  std::string street;
  std::string city;
  std::string postcode;
  std::string country;
};

struct SampleSpec {
  SampleParty declarant;        // the filer (the trader itself, or its broker)
  SampleParty importer;         // the trader the declaration belongs to
  std::string office = "DE004700";
  int items = 2;                // 1..20
  uint64_t seed = 1;
  std::string invoice_date = "2026-11-02";
};

// The demo's organisations.
SampleParty HanseBrokers();      // a customs broker in Hamburg
SampleParty Nordfleisch();       // an importer of meat in Hamburg
SampleParty SoieriesDeLyon();    // an importer of textiles in Lyon

// MakeSampleDeclaration() builds a valid import declaration: items drawn from a small
// catalogue of goods (codes, origins, unit prices), invoice total equal to the item prices.
boost::json::value MakeSampleDeclaration(const SampleSpec& spec);

}  // namespace clearway::app
