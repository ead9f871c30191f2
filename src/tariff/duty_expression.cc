#include "tariff/duty_expression.h"

#include <cctype>
#include <limits>

#include "common/iso_codes.h"

namespace clearway::tariff {

namespace {

// Bounds that keep every intermediate product inside Int128 (see EvaluateDuty()).
constexpr int64_t kMaxRateMicros = int64_t{1'000'000} * kDecimalScale;  // one million per unit
constexpr int64_t kMaxQuantityThousandths = int64_t{100'000'000'000'000};  // 1e11 units
constexpr Int128 kSubUnits = 1'000'000;  // components are computed in 10^-6 minor units

struct Token {
  enum class Kind { kNumber, kWord, kPercent, kPlus, kSlash, kOther };
  Kind kind = Kind::kOther;
  std::string text;  // numbers as written; words upper-cased
};

std::vector<Token> Tokenize(std::string_view text) {
  std::vector<Token> out;
  size_t pos = 0;
  while (pos < text.size()) {
    char c = text[pos];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++pos;
    } else if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') {
      size_t start = pos;
      while (pos < text.size() &&
             (std::isdigit(static_cast<unsigned char>(text[pos])) || text[pos] == '.' ||
              (text[pos] == ',' && pos + 1 < text.size() &&
               std::isdigit(static_cast<unsigned char>(text[pos + 1]))))) {
        ++pos;
      }
      out.push_back({Token::Kind::kNumber, std::string(text.substr(start, pos - start))});
    } else if (std::isalpha(static_cast<unsigned char>(c))) {
      std::string word;
      while (pos < text.size() && std::isalpha(static_cast<unsigned char>(text[pos]))) {
        word += static_cast<char>(std::toupper(static_cast<unsigned char>(text[pos++])));
      }
      out.push_back({Token::Kind::kWord, word});
    } else {
      Token::Kind kind = c == '%'   ? Token::Kind::kPercent
                         : c == '+' ? Token::Kind::kPlus
                         : c == '/' ? Token::Kind::kSlash
                                    : Token::Kind::kOther;
      out.push_back({kind, std::string(1, c)});
      ++pos;
    }
  }
  return out;
}

struct UnitWord {
  std::string_view word;
  DutyUnit unit;
  int64_t factor;  // how many base units one of this word is
};

constexpr UnitWord kUnitWords[] = {
    {"KG", DutyUnit::kKilogram, 1},     {"KGM", DutyUnit::kKilogram, 1},
    {"T", DutyUnit::kKilogram, 1000},   {"TONNE", DutyUnit::kKilogram, 1000},
    {"TNE", DutyUnit::kKilogram, 1000}, {"L", DutyUnit::kLitre, 1},
    {"LTR", DutyUnit::kLitre, 1},       {"LITRE", DutyUnit::kLitre, 1},
    {"HL", DutyUnit::kLitre, 100},      {"HLT", DutyUnit::kLitre, 100},
    {"ITEM", DutyUnit::kItem, 1},       {"ITEMS", DutyUnit::kItem, 1},
    {"UNIT", DutyUnit::kItem, 1},       {"UNITS", DutyUnit::kItem, 1},
    {"NAR", DutyUnit::kItem, 1},        {"PCE", DutyUnit::kItem, 1},
};

class Parser {
 public:
  Parser(std::string_view text, std::string_view field)
      : text_(text), field_(field), tokens_(Tokenize(text)) {}

  Result<DutyExpression> Parse() {
    if (tokens_.empty()) return Bad("the duty expression is empty");
    DutyExpression out;
    if (tokens_.size() == 1 && tokens_[0].kind == Token::Kind::kWord && tokens_[0].text == "FREE") {
      out.components.push_back(DutyComponent{});
      return out;
    }
    CW_ASSIGN_OR_RETURN(DutyComponent first, Term());
    out.components.push_back(first);
    while (Peek(Token::Kind::kPlus)) {
      ++pos_;
      CW_ASSIGN_OR_RETURN(DutyComponent next, Term());
      out.components.push_back(next);
    }
    while (pos_ < tokens_.size()) {
      const Token& token = tokens_[pos_];
      bool is_min = token.kind == Token::Kind::kWord && token.text == "MIN";
      bool is_max = token.kind == Token::Kind::kWord && token.text == "MAX";
      if (!is_min && !is_max) return Bad("unexpected '" + token.text + "'");
      ++pos_;
      std::optional<DutyComponent>& slot = is_min ? out.minimum : out.maximum;
      if (slot) return Bad(std::string(is_min ? "MIN" : "MAX") + " given twice");
      CW_ASSIGN_OR_RETURN(DutyComponent bound, Term());
      slot = bound;
    }
    return out;
  }

 private:
  bool Peek(Token::Kind kind) const { return pos_ < tokens_.size() && tokens_[pos_].kind == kind; }

  Error Bad(const std::string& why) const {
    return Error::InvalidArgument(std::string(field_), "bad-duty-expression",
                                  "'" + std::string(text_) + "': " + why);
  }

  Result<Decimal> Number(const char* what) {
    if (!Peek(Token::Kind::kNumber)) return Bad(std::string("expected ") + what);
    auto value = ParseDecimal(tokens_[pos_++].text, field_);
    if (!value.ok() || value->micros < 0 || value->micros > kMaxRateMicros) {
      return Bad(std::string("the ") + what + " is not a number from 0 to 1000000");
    }
    return *value;
  }

  Result<DutyComponent> Term() {
    DutyComponent out;
    CW_ASSIGN_OR_RETURN(out.rate, Number("rate"));
    if (Peek(Token::Kind::kPercent)) {
      ++pos_;
      out.kind = DutyComponent::Kind::kAdValorem;
      return out;
    }
    if (!Peek(Token::Kind::kWord)) return Bad("expected '%' or a currency after the rate");
    out.kind = DutyComponent::Kind::kSpecific;
    out.currency = tokens_[pos_++].text;
    if (!IsCurrencyCode(out.currency)) {
      return Error::InvalidArgument(std::string(field_), "unknown-currency",
                                    "'" + out.currency + "' is not an ISO 4217 currency");
    }
    if (!Peek(Token::Kind::kSlash)) return Bad("expected '/' and a unit after the currency");
    ++pos_;
    int64_t count_micros = kDecimalScale;
    if (Peek(Token::Kind::kNumber)) {
      CW_ASSIGN_OR_RETURN(Decimal count, Number("unit count"));
      if (count.micros == 0) return Bad("the unit count is zero");
      count_micros = count.micros;
    }
    if (!Peek(Token::Kind::kWord)) return UnknownUnit();
    const std::string& word = tokens_[pos_].text;
    for (const UnitWord& unit : kUnitWords) {
      if (unit.word != word) continue;
      ++pos_;
      // A unit followed by '/' or '%' ("GBP / kg / lactic matter") is a measure the engine
      // cannot take from a declaration.
      if (Peek(Token::Kind::kSlash) || Peek(Token::Kind::kPercent) || Peek(Token::Kind::kOther)) {
        return UnknownUnit();
      }
      out.unit = unit.unit;
      out.per = Decimal{count_micros * unit.factor};
      return out;
    }
    return UnknownUnit();
  }

  Error UnknownUnit() const {
    return Error::InvalidArgument(std::string(field_), "unknown-duty-unit",
                                  "'" + std::string(text_) +
                                      "': specific duties are per kg, 100 kg, tonne, l, hl, item "
                                      "or 1000 items");
  }

  std::string_view text_;
  std::string_view field_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
};

std::string Money(Int128 sub_units, const DutyBasis& basis) {
  return FormatMinor(static_cast<int64_t>(RoundDiv(sub_units, kSubUnits)), basis.exponent) + " " +
         basis.currency;
}

struct Evaluated {
  Int128 sub_units = 0;  // 10^-6 minor units of the quote currency
  std::string line;
};

Result<int64_t> QuantityFor(DutyUnit unit, const DutyBasis& basis) {
  std::optional<int64_t> quantity;
  switch (unit) {
    case DutyUnit::kKilogram:
      quantity = basis.net_mass_grams;
      break;
    case DutyUnit::kLitre:
      quantity = basis.litres_thousandths;
      break;
    case DutyUnit::kItem:
      quantity = basis.items_thousandths;
      break;
  }
  if (!quantity) {
    return Error::FailedPrecondition(
        "quantity-unit-required",
        std::string("the duty is per ") + std::string(DutyUnitName(unit)) +
            ": declare the item's quantity in " + (unit == DutyUnit::kLitre ? "LTR or HLT" : "NAR"));
  }
  if (*quantity < 0 || *quantity > kMaxQuantityThousandths) {
    return Error::InvalidArgument("", "amount-out-of-range", "the quantity is too large to tax");
  }
  return *quantity;
}

Result<Evaluated> Component(const DutyComponent& c, const DutyBasis& basis,
                            const CurrencyRate& rate) {
  Evaluated out;
  if (c.kind == DutyComponent::Kind::kAdValorem) {
    out.sub_units = RoundDiv(static_cast<Int128>(basis.value_minor) * c.rate.micros, 100);
    out.line = c.ToString() + " x " + FormatMinor(basis.value_minor, basis.exponent) + " " +
               basis.currency + " = " + Money(out.sub_units, basis);
    return out;
  }
  CW_ASSIGN_OR_RETURN(int64_t quantity, QuantityFor(c.unit, basis));
  // rate × (quantity / 1000) / per, in 10^-6 minor units of the component's currency:
  // rate.micros × quantity × 10^exponent × 1000 / per.micros.
  Int128 sub = RoundDiv(static_cast<Int128>(c.rate.micros) * quantity *
                              Pow10(basis.exponent) * 1000,
                          c.per.micros);
  out.line = c.ToString() + " x " + FormatMinor(quantity, 3) + " " +
             std::string(DutyUnitName(c.unit)) + " = ";
  if (c.currency != basis.currency) {
    CW_ASSIGN_OR_RETURN(Decimal per_quote, rate(c.currency));
    out.line += FormatMinor(static_cast<int64_t>(RoundDiv(sub, kSubUnits)), basis.exponent) + " " +
                c.currency + " / " + per_quote.ToString() + " " + c.currency + " per " +
                basis.currency + " = ";
    sub = RoundDiv(sub * kDecimalScale, per_quote.micros);
  }
  out.sub_units = sub;
  out.line += Money(sub, basis);
  return out;
}

}  // namespace

std::string_view DutyUnitName(DutyUnit unit) {
  switch (unit) {
    case DutyUnit::kKilogram:
      return "kg";
    case DutyUnit::kLitre:
      return "l";
    case DutyUnit::kItem:
      return "item";
  }
  return "kg";
}

std::string DutyComponent::ToString() const {
  if (kind == Kind::kAdValorem) return rate.ToString() + " %";
  std::string out = rate.ToString() + " " + currency + " / ";
  if (per.micros != kDecimalScale) out += per.ToString() + " ";
  return out + std::string(DutyUnitName(unit));
}

std::string DutyExpression::ToString() const {
  std::string out;
  for (const auto& component : components) {
    if (!out.empty()) out += " + ";
    out += component.ToString();
  }
  if (minimum) out += " MIN " + minimum->ToString();
  if (maximum) out += " MAX " + maximum->ToString();
  return out;
}

Result<DutyExpression> ParseDutyExpression(std::string_view text, std::string_view field) {
  return Parser(text, field).Parse();
}

Result<DutyArithmetic> EvaluateDuty(const DutyExpression& expression, const DutyBasis& basis,
                                    const CurrencyRate& rate) {
  DutyArithmetic out;
  Int128 total = 0;
  for (const auto& component : expression.components) {
    CW_ASSIGN_OR_RETURN(Evaluated part, Component(component, basis, rate));
    total += part.sub_units;
    out.lines.push_back(part.line);
  }
  if (expression.components.size() > 1) out.lines.push_back("sum = " + Money(total, basis));
  if (expression.minimum) {
    CW_ASSIGN_OR_RETURN(Evaluated floor, Component(*expression.minimum, basis, rate));
    out.minimum_applied = total < floor.sub_units;
    out.lines.push_back("MIN " + floor.line +
                        (out.minimum_applied ? ": the duty is below it, the minimum applies"
                                             : ": not reached"));
    if (out.minimum_applied) total = floor.sub_units;
  }
  if (expression.maximum) {
    CW_ASSIGN_OR_RETURN(Evaluated cap, Component(*expression.maximum, basis, rate));
    out.maximum_applied = total > cap.sub_units;
    out.lines.push_back("MAX " + cap.line +
                        (out.maximum_applied ? ": the duty exceeds it, the maximum applies"
                                             : ": not reached"));
    if (out.maximum_applied) total = cap.sub_units;
  }
  Int128 minor = RoundDiv(total, kSubUnits);
  if (minor > std::numeric_limits<int64_t>::max()) {
    return Error::InvalidArgument("", "amount-out-of-range", "the duty does not fit in 64 bits");
  }
  out.amount_minor = static_cast<int64_t>(minor);
  return out;
}

int64_t MultiplyPercent(int64_t value_minor, Decimal percent) {
  return static_cast<int64_t>(
      RoundDiv(static_cast<Int128>(value_minor) * percent.micros, 100 * kSubUnits));
}

}  // namespace clearway::tariff
