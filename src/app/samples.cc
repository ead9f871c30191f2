#include "app/samples.h"

#include <array>
#include <string_view>

namespace clearway::app {

namespace {

struct Goods {
  std::string_view code;
  std::string_view description;
  std::string_view origin;
  std::string_view unit;
  int64_t cents_per_kg;
  std::string_view document;   // "" when none is needed
};

constexpr std::array<Goods, 10> kCatalogue = {{
    {"0202300010", "Frozen boneless bovine meat, vacuum packed", "AR", "KGM", 900, "U004"},
    {"160250", "Corned beef in airtight containers", "BR", "NAR", 800, ""},
    {"8471300000", "Portable laptop computers", "CN", "NAR", 4500, ""},
    {"6109100010", "Cotton T-shirts, knitted", "BD", "NAR", 1200, "U004"},
    {"5007209000", "Woven fabrics of silk", "IN", "MTK", 9000, ""},
    {"0901210000", "Roasted coffee, not decaffeinated", "CO", "KGM", 1100, "U004"},
    {"8703800010", "Electric passenger cars", "KR", "NAR", 2500, "Y900"},
    {"9403600000", "Wooden furniture for the dining room", "VN", "NAR", 600, ""},
    {"2204210000", "Wine of fresh grapes, in bottles of 2 l or less", "CL", "LTR", 550, "C400"},
    {"8517130000", "Smartphones", "TW", "NAR", 30000, ""},
}};

uint64_t Next(uint64_t& state) {
  // splitmix64: deterministic, well-distributed sample data (not for anything secret).
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

boost::json::object Party(const SampleParty& p) {
  return {{"id", p.id},
          {"name", p.name},
          {"address",
           {{"street", p.street}, {"city", p.city}, {"postcode", p.postcode}, {"country", p.country}}}};
}

std::string Cents(int64_t cents) {
  std::string whole = std::to_string(cents / 100);
  int64_t frac = cents % 100;
  return whole + "." + (frac < 10 ? "0" : "") + std::to_string(frac);
}

std::string Grams(int64_t grams) {
  std::string out = std::to_string(grams / 1000) + ".";
  std::string frac = std::to_string(grams % 1000);
  return out + std::string(3 - frac.size(), '0') + frac;
}

// ISO 6346 check digit of the 10-character owner code + serial number: letters count
// A=10, B=12, ... skipping multiples of 11; position i weighs 2^i; the digit is sum mod 11 mod 10.
char ContainerCheckDigit(std::string_view id) {
  int total = 0;
  for (size_t i = 0; i < 10; ++i) {
    char c = id[i];
    int value = c - '0';
    if (c >= 'A' && c <= 'Z') {
      int v = 10;
      for (char letter = 'A'; letter <= c; ++letter) {
        if (v % 11 == 0) ++v;
        value = v++;
      }
    }
    total += value << i;
  }
  return static_cast<char>('0' + total % 11 % 10);
}

}  // namespace

SampleParty HanseBrokers() {
  return {"DE123456789012345", "Hanse Customs Brokers GmbH", "Am Sandtorkai 1", "Hamburg",
          "20457", "DE"};
}
SampleParty Nordfleisch() {
  return {"DE987654321000001", "Nordfleisch Import AG", "Grosse Elbstrasse 14", "Hamburg",
          "22767", "DE"};
}
SampleParty SoieriesDeLyon() {
  return {"FR44123456700017", "Soieries de Lyon SA", "12 Quai Saint-Vincent", "Lyon", "69001",
          "FR"};
}

boost::json::value MakeSampleDeclaration(const SampleSpec& spec) {
  uint64_t state = spec.seed;
  int items = spec.items < 1 ? 1 : (spec.items > 20 ? 20 : spec.items);
  boost::json::array goods;
  int64_t total_cents = 0;
  for (int i = 0; i < items; ++i) {
    const Goods& g = kCatalogue[Next(state) % kCatalogue.size()];
    int64_t net_grams = 50'000 + static_cast<int64_t>(Next(state) % 5'000'000);
    int64_t gross_grams = net_grams + net_grams / 20;
    int64_t price = g.cents_per_kg * net_grams / 1000;
    if (price < 100) price = 100;
    total_cents += price;
    boost::json::array documents;
    if (!g.document.empty()) {
      documents.push_back(
          {{"code", g.document}, {"reference", "DOC-" + std::to_string(Next(state) % 1000000)}});
    }
    int64_t quantity = g.unit == "KGM" ? net_grams / 1000 : 1 + static_cast<int64_t>(Next(state) % 900);
    goods.push_back({{"sequence", i + 1},
                     {"commodityCode", g.code},
                     {"description", g.description},
                     {"origin", g.origin},
                     {"netMass", Grams(net_grams)},
                     {"grossMass", Grams(gross_grams)},
                     {"quantity", {{"value", std::to_string(quantity)}, {"unit", g.unit}}},
                     {"price", Cents(price)},
                     {"documents", std::move(documents)}});
  }
  std::string container = "MSCU" + std::to_string(100000 + Next(state) % 900000);
  container += ContainerCheckDigit(container);
  boost::json::object out{
      {"type", "import"},
      {"procedure", "4000"},
      {"office", spec.office},
      {"declarant", Party(spec.declarant)},
      {"importer", Party(spec.importer)},
      {"exporter",
       {{"id", "CN914403007152672"},
        {"name", "Shenzhen Global Export Co., Ltd."},
        {"address",
         {{"street", "88 Shennan Road"}, {"city", "Shenzhen"}, {"postcode", "518000"},
          {"country", "CN"}}}}},
      {"transport",
       {{"mode", 1}, {"identity", "MSC OSCAR"}, {"nationality", "PA"},
        {"containers", boost::json::array{boost::json::value(container)}}}},
      {"invoice",
       {{"number", "INV-" + std::to_string(spec.seed)},
        {"date", spec.invoice_date},
        {"currency", "EUR"},
        {"total", Cents(total_cents)},
        {"incoterm", "CIF"}}},
      {"goodsItems", std::move(goods)},
  };
  return out;
}

}  // namespace clearway::app
