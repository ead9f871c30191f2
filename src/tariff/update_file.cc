#include "tariff/update_file.h"

#include <set>

#include "common/iso_codes.h"
#include "common/json.h"
#include "crypto/crypto.h"

namespace clearway::tariff {

namespace {

namespace json = boost::json;

constexpr size_t kMaxFileIdLength = 100;
constexpr size_t kMaxTextLength = 1000;

// Fields reads one JSON object, refusing fields it was not asked about.
class Fields {
 public:
  static Result<Fields> Of(const json::value& value, std::string path) {
    if (!value.is_object()) {
      return Error::InvalidArgument(path, "wrong-type", "expected a JSON object");
    }
    return Fields(value.get_object(), std::move(path));
  }

  std::string PathOf(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  }

  const json::value* Find(std::string_view key) {
    seen_.insert(std::string(key));
    const json::value* v = object_.if_contains(key);
    return v == nullptr || v->is_null() ? nullptr : v;
  }

  Result<std::string> Text(std::string_view key, bool required) {
    const json::value* v = Find(key);
    if (v == nullptr) {
      if (required) return Error::InvalidArgument(PathOf(key), "required", "required");
      return std::string();
    }
    if (!v->is_string() || v->get_string().size() > kMaxTextLength) {
      return Error::InvalidArgument(PathOf(key), "wrong-type", "expected a string (<= 1000 bytes)");
    }
    return std::string(v->get_string());
  }

  Result<std::vector<std::string>> TextList(std::string_view key) {
    std::vector<std::string> out;
    const json::value* v = Find(key);
    if (v == nullptr) return out;
    if (!v->is_array()) return Error::InvalidArgument(PathOf(key), "wrong-type", "expected an array");
    for (size_t i = 0; i < v->get_array().size(); ++i) {
      const json::value& item = v->get_array()[i];
      if (!item.is_string()) {
        return Error::InvalidArgument(PathOf(key) + "[" + std::to_string(i) + "]", "wrong-type",
                                      "expected a string");
      }
      out.emplace_back(item.get_string());
    }
    return out;
  }

  Result<Date> DateField(std::string_view key) {
    CW_ASSIGN_OR_RETURN(std::string text, Text(key, true));
    auto date = ParseDate(text);
    if (!date.ok()) return Error::InvalidArgument(PathOf(key), "bad-date", "expected YYYY-MM-DD");
    return *date;
  }

  Result<std::optional<Date>> OptionalDate(std::string_view key) {
    if (Find(key) == nullptr) return std::optional<Date>();
    CW_ASSIGN_OR_RETURN(Date date, DateField(key));
    return std::optional<Date>(date);
  }

  Status NoOthers() const {
    for (const auto& field : object_) {
      if (seen_.count(std::string(field.key())) == 0) {
        return Error::InvalidArgument(PathOf(field.key()), "unknown-field", "unknown field");
      }
    }
    return OkStatus();
  }

 private:
  Fields(const json::object& object, std::string path) : object_(object), path_(std::move(path)) {}
  const json::object& object_;
  std::string path_;
  std::set<std::string> seen_;
};

Result<std::vector<const json::value*>> ArrayOf(Fields& fields, std::string_view key) {
  std::vector<const json::value*> out;
  const json::value* v = fields.Find(key);
  if (v == nullptr) return out;
  if (!v->is_array()) return Error::InvalidArgument(std::string(key), "wrong-type", "expected an array");
  for (const auto& item : v->get_array()) out.push_back(&item);
  return out;
}

Status CheckCountry(const std::string& code, const std::string& path) {
  if (IsCountryCode(code)) return OkStatus();
  return Error::InvalidArgument(path, "unknown-country", "'" + code + "' is not an ISO 3166-1 code");
}

Status CheckValidity(Date from, const std::optional<Date>& to, const std::string& path) {
  if (to && *to <= from) {
    return Error::InvalidArgument(path, "bad-validity", "validTo must be after validFrom");
  }
  return OkStatus();
}

Result<Measure> ReadMeasure(Fields& f) {
  Measure m;
  CW_ASSIGN_OR_RETURN(m.id, f.Text("id", true));
  CW_ASSIGN_OR_RETURN(std::string type, f.Text("type", true));
  CW_ASSIGN_OR_RETURN(m.type, ParseMeasureType(type, f.PathOf("type")));
  CW_ASSIGN_OR_RETURN(m.commodity_code, f.Text("code", true));
  if (!IsCommodityCodePrefix(m.commodity_code)) {
    return Error::InvalidArgument(f.PathOf("code"), "bad-commodity-code",
                                  "expected 2, 4, 6, 8 or 10 digits (\"\" for every code)");
  }
  CW_ASSIGN_OR_RETURN(m.geo, f.Text("geo", true));
  // A country code, the erga omnes area or a group code ("EU", "GSP"): 2..20 of [A-Z0-9-].
  bool geo_ok = m.geo.size() >= 2 && m.geo.size() <= 20;
  for (char c : m.geo) geo_ok = geo_ok && ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-');
  if (!geo_ok) {
    return Error::InvalidArgument(f.PathOf("geo"), "bad-geo",
                                  "geo is 1011, a country code such as AR or a group such as GSP");
  }
  CW_ASSIGN_OR_RETURN(m.excluded, f.TextList("excluded"));
  for (size_t i = 0; i < m.excluded.size(); ++i) {
    CW_RETURN_IF_ERROR(CheckCountry(m.excluded[i], f.PathOf("excluded") + "[" + std::to_string(i) + "]"));
  }
  CW_ASSIGN_OR_RETURN(m.valid_from, f.DateField("validFrom"));
  CW_ASSIGN_OR_RETURN(m.valid_to, f.OptionalDate("validTo"));
  CW_RETURN_IF_ERROR(CheckValidity(m.valid_from, m.valid_to, f.PathOf("validTo")));
  CW_ASSIGN_OR_RETURN(m.legal_base, f.Text("legalBase", true));
  CW_ASSIGN_OR_RETURN(m.conditions, f.TextList("conditions"));
  CW_ASSIGN_OR_RETURN(m.duty, f.Text("duty", IsDutyType(m.type)));
  if (!m.duty.empty()) {
    CW_RETURN_IF_ERROR(ParseDutyExpression(m.duty, f.PathOf("duty")));
  }
  CW_ASSIGN_OR_RETURN(m.agreement, f.Text("agreement", m.type == MeasureType::kPreference));
  CW_ASSIGN_OR_RETURN(m.additional_code, f.Text("additionalCode", false));
  CW_ASSIGN_OR_RETURN(m.quota_order, f.Text("quotaOrder", m.type == MeasureType::kTariffQuota));
  return m;
}

bool IsFileId(std::string_view id) {
  if (id.empty() || id.size() > kMaxFileIdLength) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

Status ReadMeasures(Fields& top, TariffUpdate& out) {
  CW_ASSIGN_OR_RETURN(auto items, ArrayOf(top, "measures"));
  std::set<std::string> ids;
  for (size_t i = 0; i < items.size(); ++i) {
    std::string path = "measures[" + std::to_string(i) + "]";
    CW_ASSIGN_OR_RETURN(Fields f, Fields::Of(*items[i], path));
    CW_ASSIGN_OR_RETURN(std::string op, f.Text("op", true));
    std::string id;
    if (op == "upsert") {
      CW_ASSIGN_OR_RETURN(Measure m, ReadMeasure(f));
      id = m.id;
      out.upserts.push_back(std::move(m));
    } else if (op == "end") {
      MeasureEnd end;
      CW_ASSIGN_OR_RETURN(end.id, f.Text("id", true));
      CW_ASSIGN_OR_RETURN(end.valid_to, f.DateField("validTo"));
      id = end.id;
      out.ends.push_back(std::move(end));
    } else {
      return Error::InvalidArgument(f.PathOf("op"), "bad-update-op", "op is \"upsert\" or \"end\"");
    }
    if (id.empty() || !ids.insert(id).second) {
      return Error::InvalidArgument(f.PathOf("id"), "duplicate-measure",
                                    "a measure id appears at most once per file");
    }
    CW_RETURN_IF_ERROR(f.NoOthers());
  }
  return OkStatus();
}

Status ReadReferenceData(Fields& top, TariffUpdate& out) {
  CW_ASSIGN_OR_RETURN(auto groups, ArrayOf(top, "groups"));
  for (size_t i = 0; i < groups.size(); ++i) {
    CW_ASSIGN_OR_RETURN(Fields f, Fields::Of(*groups[i], "groups[" + std::to_string(i) + "]"));
    GeoGroup group;
    CW_ASSIGN_OR_RETURN(group.code, f.Text("code", true));
    CW_ASSIGN_OR_RETURN(group.members, f.TextList("members"));
    for (size_t k = 0; k < group.members.size(); ++k) {
      CW_RETURN_IF_ERROR(CheckCountry(group.members[k], f.PathOf("members") + "[" + std::to_string(k) + "]"));
    }
    CW_RETURN_IF_ERROR(f.NoOthers());
    out.groups.push_back(std::move(group));
  }
  CW_ASSIGN_OR_RETURN(auto quotas, ArrayOf(top, "quotas"));
  for (size_t i = 0; i < quotas.size(); ++i) {
    CW_ASSIGN_OR_RETURN(Fields f, Fields::Of(*quotas[i], "quotas[" + std::to_string(i) + "]"));
    Quota quota;
    CW_ASSIGN_OR_RETURN(quota.order_number, f.Text("orderNumber", true));
    CW_ASSIGN_OR_RETURN(std::string volume, f.Text("volume", true));
    CW_ASSIGN_OR_RETURN(Decimal amount, ParseDecimal(volume, f.PathOf("volume")));
    quota.volume_thousandths = amount.micros / 1000;
    CW_ASSIGN_OR_RETURN(std::string unit, f.Text("unit", true));
    if (unit == "kg") quota.unit = DutyUnit::kKilogram;
    else if (unit == "l") quota.unit = DutyUnit::kLitre;
    else if (unit == "item") quota.unit = DutyUnit::kItem;
    else return Error::InvalidArgument(f.PathOf("unit"), "unknown-duty-unit", "unit is kg, l or item");
    CW_RETURN_IF_ERROR(f.NoOthers());
    out.quotas.push_back(std::move(quota));
  }
  CW_ASSIGN_OR_RETURN(auto rates, ArrayOf(top, "rates"));
  for (size_t i = 0; i < rates.size(); ++i) {
    CW_ASSIGN_OR_RETURN(Fields f, Fields::Of(*rates[i], "rates[" + std::to_string(i) + "]"));
    ExchangeRate rate;
    CW_ASSIGN_OR_RETURN(rate.currency, f.Text("currency", true));
    if (!IsCurrencyCode(rate.currency)) {
      return Error::InvalidArgument(f.PathOf("currency"), "unknown-currency", "not ISO 4217");
    }
    CW_ASSIGN_OR_RETURN(std::string per_unit, f.Text("perUnit", true));
    CW_ASSIGN_OR_RETURN(rate.per_unit, ParseDecimal(per_unit, f.PathOf("perUnit")));
    if (rate.per_unit.micros <= 0) {
      return Error::InvalidArgument(f.PathOf("perUnit"), "bad-decimal", "a rate is positive");
    }
    CW_ASSIGN_OR_RETURN(rate.valid_from, f.DateField("validFrom"));
    CW_ASSIGN_OR_RETURN(rate.valid_to, f.OptionalDate("validTo"));
    CW_RETURN_IF_ERROR(CheckValidity(rate.valid_from, rate.valid_to, f.PathOf("validTo")));
    CW_RETURN_IF_ERROR(f.NoOthers());
    out.rates.push_back(std::move(rate));
  }
  CW_ASSIGN_OR_RETURN(auto nodes, ArrayOf(top, "nomenclature"));
  for (size_t i = 0; i < nodes.size(); ++i) {
    CW_ASSIGN_OR_RETURN(Fields f, Fields::Of(*nodes[i], "nomenclature[" + std::to_string(i) + "]"));
    NomenclatureNode node;
    CW_ASSIGN_OR_RETURN(node.code, f.Text("code", true));
    if (node.code.empty() || !IsCommodityCodePrefix(node.code)) {
      return Error::InvalidArgument(f.PathOf("code"), "bad-commodity-code", "2 to 10 digits");
    }
    CW_ASSIGN_OR_RETURN(node.parent, f.Text("parent", false));
    CW_ASSIGN_OR_RETURN(node.description, f.Text("description", true));
    CW_ASSIGN_OR_RETURN(node.valid_from, f.DateField("validFrom"));
    CW_ASSIGN_OR_RETURN(node.valid_to, f.OptionalDate("validTo"));
    CW_RETURN_IF_ERROR(f.NoOthers());
    out.nomenclature.push_back(std::move(node));
  }
  return OkStatus();
}

}  // namespace

bool IsCommodityCodePrefix(std::string_view code) {
  if (code.empty()) return true;
  if (code.size() % 2 != 0 || code.size() > 10) return false;
  for (char c : code) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

Result<TariffUpdate> ParseTariffUpdate(std::string_view json_text) {
  CW_ASSIGN_OR_RETURN(json::value root, ParseJson(json_text));
  CW_ASSIGN_OR_RETURN(Fields top, Fields::Of(root, ""));
  TariffUpdate out;
  CW_ASSIGN_OR_RETURN(out.file_id, top.Text("fileId", true));
  if (!IsFileId(out.file_id)) {
    return Error::InvalidArgument("fileId", "bad-file-id",
                                  "1 to 100 characters of letters, digits, '.', '_' or '-'");
  }
  CW_RETURN_IF_ERROR(ReadMeasures(top, out));
  CW_RETURN_IF_ERROR(ReadReferenceData(top, out));
  CW_RETURN_IF_ERROR(top.NoOthers());
  out.sha256 = crypto::ToHex(crypto::Sha256(json_text));
  return out;
}

}  // namespace clearway::tariff
