// ExampleDeclarationJson(): the canonical sample, kept identical to
// docs/example-declaration.json (tests/declaration/example_test.cc compares the two).

#include "declaration/declaration.h"

namespace clearway::declaration {

std::string_view ExampleDeclarationJson() {
  static constexpr std::string_view kExample = R"json({
  "type": "import",
  "procedure": "4000",
  "office": "DE004700",
  "declarant": {
    "id": "DE123456789012345",
    "name": "Hanse Customs Brokers GmbH",
    "address": {"street": "Am Sandtorkai 1", "city": "Hamburg", "postcode": "20457", "country": "DE"}
  },
  "importer": {
    "id": "DE987654321000001",
    "name": "Nordfleisch Import AG",
    "address": {"street": "Grosse Elbstrasse 14", "city": "Hamburg", "postcode": "22767", "country": "DE"}
  },
  "exporter": {
    "id": "AR30712345678",
    "name": "Pampas Beef S.A.",
    "address": {"street": "Av. Corrientes 1234", "city": "Buenos Aires", "postcode": "C1043", "country": "AR"}
  },
  "transport": {
    "mode": 1,
    "identity": "MSC OSCAR",
    "nationality": "PA",
    "containers": ["MSCU1234566"]
  },
  "invoice": {
    "number": "INV-2026-0042",
    "date": "2026-11-02",
    "currency": "EUR",
    "total": "50400.00",
    "incoterm": "CIF"
  },
  "goodsItems": [
    {
      "sequence": 1,
      "commodityCode": "0202300010",
      "description": "Frozen boneless bovine meat, vacuum packed",
      "origin": "AR",
      "netMass": "4800.000",
      "grossMass": "5000.000",
      "quantity": {"value": "4800", "unit": "KGM"},
      "price": "43200.00",
      "documents": [{"code": "U004", "reference": "AR-COO-2026-7781"}]
    },
    {
      "sequence": 2,
      "commodityCode": "160250",
      "description": "Corned beef in airtight containers",
      "origin": "AR",
      "netMass": "900.500",
      "grossMass": "1000",
      "quantity": {"value": "3000", "unit": "NAR"},
      "price": "7200.00",
      "documents": []
    }
  ]
}
)json";
  return kExample;
}

}  // namespace clearway::declaration
