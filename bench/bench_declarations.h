// File: bench/bench_declarations.h
//
// The declarations the benchmarks file: valid, varied import declarations in the API's JSON
// form, built on app::MakeSampleDeclaration() (goods drawn from its catalogue, invoice total
// equal to the item prices) and then varied the way real traffic varies: 1..20 goods items
// (uniform), incoterm with or without freight and insurance, sea (with 1..3 containers), air or
// road transport, an optional consignee, a unique invoice number. Deterministic for a seed, so
// the stage micro-benchmarks and clearway-load file the same mix.
//
//   std::vector<std::string> bodies = bench::MakeDeclarationBodies(party, 512, 20);
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "app/samples.h"

namespace clearway::bench {

// Splitmix64 step (sample data only, not for anything secret).
inline uint64_t NextRandom(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// ContainerNumber() is an ISO 6346 number "MSCU" + 6 digits + check digit.
inline std::string ContainerNumber(uint64_t serial) {
  std::string id = "MSCU" + std::to_string(100000 + serial % 900000);
  int total = 0;
  for (size_t pos = 0; pos < 10; ++pos) {
    const char c = id[pos];
    int value = c - '0';
    if (c >= 'A' && c <= 'Z') {
      int letter_value = 10;
      for (char letter = 'A'; letter <= c; ++letter) {
        if (letter_value % 11 == 0) ++letter_value;
        value = letter_value++;
      }
    }
    total += value << pos;
  }
  id += static_cast<char>('0' + total % 11 % 10);
  return id;
}

// MakeDeclaration() is declaration number `seed` of the mix, filed by `party` for itself.
inline boost::json::object MakeDeclaration(const app::SampleParty& party, uint64_t seed,
                                           int max_items) {
  uint64_t state = seed * 7919 + 17;
  app::SampleSpec spec;
  spec.declarant = party;
  spec.importer = party;
  spec.office = party.country == "FR" ? "FR693000" : "DE004700";
  spec.items = 1 + static_cast<int>(NextRandom(state) % static_cast<uint64_t>(max_items));
  spec.seed = seed;
  boost::json::object out = app::MakeSampleDeclaration(spec).as_object();

  boost::json::object& invoice = out["invoice"].as_object();
  invoice["number"] = "INV-" + std::to_string(seed) + "-" + std::to_string(NextRandom(state) % 100000);
  switch (NextRandom(state) % 4) {
    case 0:  // the sample's CIF
      break;
    case 1:
      invoice["incoterm"] = "FOB";
      invoice["freight"] = std::to_string(200 + NextRandom(state) % 5000) + ".00";
      invoice["insurance"] = std::to_string(20 + NextRandom(state) % 300) + ".50";
      break;
    case 2:
      invoice["incoterm"] = "EXW";
      invoice["freight"] = std::to_string(400 + NextRandom(state) % 8000) + ".00";
      break;
    default:
      invoice["incoterm"] = "DAP";
      break;
  }

  boost::json::object& transport = out["transport"].as_object();
  switch (NextRandom(state) % 3) {
    case 0: {  // sea, 1..3 containers
      boost::json::array containers;
      const uint64_t count = 1 + NextRandom(state) % 3;
      const uint64_t first = NextRandom(state);
      for (uint64_t idx = 0; idx < count; ++idx) containers.emplace_back(ContainerNumber(first + idx));
      transport["containers"] = std::move(containers);
      break;
    }
    case 1:
      transport = {{"mode", 4}, {"identity", "LH" + std::to_string(8000 + NextRandom(state) % 999)},
                   {"nationality", "DE"}, {"containers", boost::json::array{}}};
      break;
    default:
      transport = {{"mode", 3}, {"identity", "HH-CW " + std::to_string(100 + NextRandom(state) % 899)},
                   {"nationality", "DE"}, {"containers", boost::json::array{}}};
      break;
  }
  if (NextRandom(state) % 3 == 0) {
    out["consignee"] = {{"id", party.id},
                        {"name", party.name + " Lager"},
                        {"address",
                         {{"street", "Lagerstrasse " + std::to_string(1 + NextRandom(state) % 200)},
                          {"city", party.city},
                          {"postcode", party.postcode},
                          {"country", party.country}}}};
  }
  return out;
}

// MakeDeclarationBodies() serialises declarations 1..count of the mix.
inline std::vector<std::string> MakeDeclarationBodies(const app::SampleParty& party, size_t count,
                                                      int max_items) {
  std::vector<std::string> bodies;
  bodies.reserve(count);
  for (uint64_t seed = 1; seed <= count; ++seed) {
    bodies.push_back(boost::json::serialize(MakeDeclaration(party, seed, max_items)));
  }
  return bodies;
}

}  // namespace clearway::bench
