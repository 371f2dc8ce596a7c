#include "esm/item_failures.hpp"

#include <simdjson.h>

#include <unordered_set>

namespace nanofaas::detail {
namespace {

Unexpected<InvalidItemFailures> invalid(std::string message) {
  return Unexpected(InvalidItemFailures{std::move(message)});
}

/// The `itemIdentifier`s of a JSON response, as Lambda reads it: `null`, an object without
/// `batchItemFailures`, or a null one names none; anything else that is not an object with a
/// `batchItemFailures` list of entries with a non-empty string `itemIdentifier` is an error,
/// which fails the whole batch (its records are retried, none is lost).
Expected<std::vector<std::string>, InvalidItemFailures> parse(const Payload& response) {
  std::vector<std::string> ids;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  // A Payload is padded: simdjson parses it in place.
  if (parser.parse(response.data(), response.size(), false).get(doc) != simdjson::SUCCESS) {
    return invalid("the response is not valid JSON");
  }
  if (doc.is_null()) return ids;
  if (!doc.is_object()) return invalid("the response is not a JSON object");
  simdjson::dom::element list;
  if (doc["batchItemFailures"].get(list) != simdjson::SUCCESS || list.is_null()) return ids;
  simdjson::dom::array failures;
  if (list.get_array().get(failures) != simdjson::SUCCESS) {
    return invalid("batchItemFailures is not a list");
  }
  for (simdjson::dom::element item : failures) {
    std::string_view id;
    if (item["itemIdentifier"].get_string().get(id) != simdjson::SUCCESS || id.empty()) {
      return invalid("a batchItemFailures entry has no itemIdentifier");
    }
    ids.emplace_back(id);
  }
  return ids;
}

}  // namespace

Expected<std::vector<std::size_t>, InvalidItemFailures> item_failures(
    std::span<const std::string> reported, const Payload& response,
    std::span<const Record> records) {
  std::vector<std::string> parsed;
  std::span<const std::string> ids = reported;
  if (ids.empty() && !response.empty()) {
    auto from_json = parse(response);
    if (!from_json) return Unexpected(std::move(from_json).error());
    parsed = std::move(*from_json);
    ids = parsed;
  }
  std::vector<std::size_t> failed;
  if (ids.empty()) return failed;
  std::unordered_set<std::string_view> wanted(ids.begin(), ids.end());
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (wanted.erase(records[i].id) > 0) failed.push_back(i);
  }
  if (!wanted.empty()) {
    return invalid("itemIdentifier " + std::string(*wanted.begin()) + " is not in the batch");
  }
  return failed;
}

}  // namespace nanofaas::detail
