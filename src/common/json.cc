#include "common/json.h"

#include <algorithm>
#include <vector>

namespace clearway {

Result<boost::json::value> ParseJson(std::string_view text) {
  boost::json::parse_options options;
  options.max_depth = 64;
  boost::json::stream_parser parser({}, options);
  boost::system::error_code ec;
  size_t consumed = parser.write_some(text.data(), text.size(), ec);
  if (!ec) parser.finish(ec);
  if (ec) {
    size_t offset = std::min(consumed, text.size());
    size_t line = 1, column = 1;
    for (size_t i = 0; i < offset; ++i) {
      if (text[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    return Error::InvalidArgument("", "malformed-json",
                                  "JSON is not well-formed at line " + std::to_string(line) +
                                      ", column " + std::to_string(column) + " (byte " +
                                      std::to_string(offset) + "): " + ec.message());
  }
  if (consumed != text.size()) {
    return Error::InvalidArgument("", "malformed-json",
                                  "unexpected data after the JSON value at byte " +
                                      std::to_string(consumed));
  }
  return parser.release();
}

namespace {
void WriteCanonical(const boost::json::value& v, std::string& out) {
  switch (v.kind()) {
    case boost::json::kind::object: {
      const auto& obj = v.get_object();
      std::vector<const boost::json::key_value_pair*> entries;
      entries.reserve(obj.size());
      for (const auto& kv : obj) entries.push_back(&kv);
      std::sort(entries.begin(), entries.end(),
                [](const auto* a, const auto* b) { return a->key() < b->key(); });
      out += '{';
      bool first = true;
      for (const auto* kv : entries) {
        if (!first) out += ',';
        first = false;
        out += boost::json::serialize(boost::json::string(kv->key()));
        out += ':';
        WriteCanonical(kv->value(), out);
      }
      out += '}';
      return;
    }
    case boost::json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& item : v.get_array()) {
        if (!first) out += ',';
        first = false;
        WriteCanonical(item, out);
      }
      out += ']';
      return;
    }
    default:
      out += boost::json::serialize(v);
  }
}
}  // namespace

std::string CanonicalJson(const boost::json::value& value) {
  std::string out;
  WriteCanonical(value, out);
  return out;
}

}  // namespace clearway
